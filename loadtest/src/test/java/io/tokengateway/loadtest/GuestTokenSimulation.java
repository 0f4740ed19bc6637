package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
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
    setUp(Params.steadyRate(visitors))
        .protocols(Params.protocol())
        .assertions(Params.fewErrorsAndP99());
  }
}
