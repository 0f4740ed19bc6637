package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Against a simulator injecting failures, hangs and latency (run.sh sets them): the gateway keeps answering,
 * with tokens (fresh or stale), fast 503s from the breaker, 502s or 504s within its timeout, and never hangs.
 * A request counts as failed only when it gets no answer or an answer outside the documented ones.
 */
public class UpstreamFaultSimulation extends Simulation {

  Iterator<Map<String, Object>> tokens = Stream.generate(
      () -> Map.<String, Object>of("c2c", Params.c2c("fault", ThreadLocalRandom.current().nextInt(50)))).iterator();

  ScenarioBuilder page = scenario("page under upstream faults")
      .feed(tokens)
      .exec(http("embed").post("/api/fabric/embeds/tokens")
          .body(StringBody("{\"token\":\"#{c2c}\"}"))
          .check(status().in(201, 429, 502, 503, 504)))
      .exec(http("guest").post("/api/fabric/guests/tokens")
          .body(StringBody("{\"allowed_addresses\":[\"" + Params.ADDRESS + "\"]}"))
          .check(status().in(201, 429, 502, 503, 504)));

  {
    setUp(Params.steadyRate(page))
        .protocols(Params.protocol())
        .assertions(
            global().failedRequests().percent().lt(0.1),
            global().responseTime().max().lt(Integer.getInteger("maxMs", 3_000)));
  }
}
