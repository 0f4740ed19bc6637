package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The real page's pattern: a constant arrival rate of embed requests over a small set of C2C tokens.
 * {@code -Drate=200 -Dduration=30 -Dtokens=5}. Nearly every answer is a cache hit.
 */
public class EmbedHotSimulation extends Simulation {

  Iterator<Map<String, Object>> tokens = Stream.generate(
      () -> Map.<String, Object>of("c2c", Params.c2c("hot", ThreadLocalRandom.current().nextInt(Params.TOKENS))))
      .iterator();

  ScenarioBuilder page = scenario("embed token, hot")
      .feed(tokens)
      .exec(http("embed").post("/api/fabric/embeds/tokens")
          .body(StringBody("{\"token\":\"#{c2c}\"}"))
          .check(status().is(201), jsonPath("$.token").exists(), header("X-Cache").in("HIT", "MISS")));

  {
    setUp(page.injectOpen(
        rampUsersPerSec(1).to(Params.RATE).during(Params.WARMUP_SECONDS),
        constantUsersPerSec(Params.RATE).during(Params.DURATION_SECONDS)))
        .protocols(Params.protocol())
        .assertions(
            global().failedRequests().percent().lt(1.0),
            global().responseTime().percentile(99.0).lt(Params.P99_MS));
  }
}
