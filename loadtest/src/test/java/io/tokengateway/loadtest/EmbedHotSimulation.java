package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
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
    setUp(Params.steadyRate(page))
        .protocols(Params.protocol())
        .assertions(Params.fewErrorsAndP99());
  }
}
