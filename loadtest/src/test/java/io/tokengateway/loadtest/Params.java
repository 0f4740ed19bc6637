package io.tokengateway.loadtest;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

/** System properties every simulation reads, with defaults sized for a laptop. */
final class Params {

  static final String BASE_URL = System.getProperty("baseUrl", "http://127.0.0.1:8080");
  /** The simulator's own URL, for its call counts ({@code /simulator/stats}). */
  static final String SIMULATOR_URL = System.getProperty("simulatorUrl", "http://127.0.0.1:9000");
  static final int DURATION_SECONDS = Integer.getInteger("duration", 30);
  static final int RATE = Integer.getInteger("rate", 200);
  /** A ramp to the rate before the constant phase, so a cold JVM's JIT warm-up is not what p99 measures. */
  static final int WARMUP_SECONDS = Integer.getInteger("warmup", 5);
  static final int USERS = Integer.getInteger("users", 1000);
  static final int TOKENS = Integer.getInteger("tokens", 5);
  static final int P99_MS = Integer.getInteger("p99Ms", 250);
  static final String ADDRESS = System.getProperty("address", "2f8e6d4c-1b3a-4c5d-9e7f-0a1b2c3d4e5f");
  /** Differs per run, so "cold" tokens are cold even against a gateway that ran before. */
  static final String RUN = Long.toString(System.currentTimeMillis(), 36);

  private Params() {
  }

  static HttpProtocolBuilder protocol() {
    return http.baseUrl(BASE_URL)
        .contentTypeHeader("application/json")
        .acceptHeader("application/json")
        .shareConnections();
  }

  /**
   * A ramp to {@code -Drate} over {@code -Dwarmup}, then that constant arrival rate for {@code -Dduration};
   * {@code -Dwarmup=0} starts at full rate (Gatling refuses a ramp of no length).
   */
  static PopulationBuilder steadyRate(ScenarioBuilder scenario) {
    if (WARMUP_SECONDS == 0) {
      return scenario.injectOpen(constantUsersPerSec(RATE).during(DURATION_SECONDS));
    }
    return scenario.injectOpen(
        rampUsersPerSec(1).to(RATE).during(WARMUP_SECONDS),
        constantUsersPerSec(RATE).during(DURATION_SECONDS));
  }

  /** Under 1% failed requests and p99 under {@code -Dp99Ms}. */
  static Assertion[] fewErrorsAndP99() {
    return new Assertion[] {
        global().failedRequests().percent().lt(1.0),
        global().responseTime().percentile(99.0).lt(P99_MS)};
  }

  /** A C2C token accepted by the default pattern: c2c_ + letters and digits. */
  static String c2c(String kind, long n) {
    return "c2c_" + kind + RUN + "x" + n;
  }
}
