package io.tokengateway.upstream.simulator;

import io.tokengateway.upstream.Endpoint;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/** Calls the simulator received per endpoint, shared by its instances. */
public final class SimulatorStats {

  private final LongAdder embeds = new LongAdder();
  private final LongAdder guests = new LongAdder();

  void record(Endpoint endpoint) {
    (endpoint == Endpoint.EMBEDS ? embeds : guests).increment();
  }

  public long embeds() {
    return embeds.sum();
  }

  public long guests() {
    return guests.sum();
  }

  void reset() {
    embeds.reset();
    guests.reset();
  }

  public JsonObject toJson() {
    return new JsonObject().put("embeds", embeds()).put("guests", guests());
  }
}
