package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/** Guest tokens at a steady rate ({@code -Drate}); each one goes to the upstream. */
public class GuestTokenSimulation extends Simulation {

  ScenarioBuilder visitors = scenario("guest token")
      .exec(http("guest").post("/api/fabric/guests/tokens")
          .body(StringBody("{\"allowed_addresses\":[\"" + Params.ADDRESS + "\"]}"))
          .check(status().is(201), jsonPath("$.refresh_token").exists()));

  {
    setUp(visitors.injectOpen(
        rampUsersPerSec(1).to(Params.RATE).during(Params.WARMUP_SECONDS),
        constantUsersPerSec(Params.RATE).during(Params.DURATION_SECONDS)))
        .protocols(Params.protocol())
        .assertions(
            global().failedRequests().percent().lt(1.0),
            global().responseTime().percentile(99.0).lt(Params.P99_MS));
  }
}
