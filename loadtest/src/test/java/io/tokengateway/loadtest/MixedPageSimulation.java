package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/** A page visit = one embed token (hot) + one guest token for an allowed address, ramping up to {@code -Drate}. */
public class MixedPageSimulation extends Simulation {

  ScenarioBuilder visit = scenario("page visit")
      .exec(http("embed").post("/api/fabric/embeds/tokens")
          .body(StringBody("{\"token\":\"" + Params.c2c("page", 1) + "\"}"))
          .check(status().is(201)))
      .exec(http("guest").post("/api/fabric/guests/tokens")
          .body(StringBody("{\"allowed_addresses\":[\"" + Params.ADDRESS + "\"]}"))
          .check(status().is(201)));

  {
    setUp(visit.injectOpen(rampUsersPerSec(1).to(Params.RATE).during(Params.DURATION_SECONDS)))
        .protocols(Params.protocol())
        .assertions(
            global().failedRequests().percent().lt(1.0),
            global().responseTime().percentile(99.0).lt(Params.P99_MS));
  }
}
