package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A spike: {@code -Dusers} users at the same instant asking for {@code -Dtokens} cold C2C tokens. Single flight
 * must hold SignalWire to one call per token: afterwards the simulator's stats must show exactly that many
 * embed calls (run.sh resets them before the run).
 */
public class EmbedColdStormSimulation extends Simulation {

  AtomicLong next = new AtomicLong();
  Iterator<Map<String, Object>> tokens = Stream.generate(
      () -> Map.<String, Object>of("c2c", Params.c2c("cold", next.getAndIncrement() % Params.TOKENS))).iterator();

  ScenarioBuilder storm = scenario("cold storm")
      .feed(tokens)
      .exec(http("embed").post("/api/fabric/embeds/tokens")
          .body(StringBody("{\"token\":\"#{c2c}\"}"))
          .check(status().is(201)));

  ScenarioBuilder verify = scenario("upstream calls")
      .exec(http("simulator stats").get(Params.SIMULATOR_URL + "/simulator/stats")
          .check(status().is(200), jsonPath("$.embeds").ofLong().is((long) Params.TOKENS)));

  {
    setUp(storm.injectOpen(atOnceUsers(Params.USERS)).andThen(verify.injectOpen(atOnceUsers(1))))
        .protocols(Params.protocol())
        .assertions(
            global().failedRequests().count().is(0L),
            details("simulator stats").successfulRequests().percent().is(100.0));
  }
}
