package io.tokengateway.upstream.simulator;

import io.tokengateway.upstream.Endpoint;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Calls the simulator received per endpoint, shared by its instances, and the {@code region} / {@code ch} of
 * the last guest token it minted ({@code lastGuest}: only the fields that call carried), so a test can see
 * what reached it.
 */
public final class SimulatorStats {

  private final LongAdder embeds = new LongAdder();
  private final LongAdder guests = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final AtomicReference<JsonObject> lastGuest = new AtomicReference<>(new JsonObject());

  void record(Endpoint endpoint) {
    switch (endpoint) {
      case EMBEDS -> embeds.increment();
      case GUESTS -> guests.increment();
      case REFRESH -> refreshes.increment();
    }
  }

  /** The region fields of a guest token just minted (null = absent). */
  void recordGuest(String region, String ch) {
    JsonObject fields = new JsonObject();
    if (region != null) {
      fields.put("region", region);
    }
    if (ch != null) {
      fields.put("ch", ch);
    }
    lastGuest.set(fields);
  }

  public long embeds() {
    return embeds.sum();
  }

  public long guests() {
    return guests.sum();
  }

  public long refreshes() {
    return refreshes.sum();
  }

  /** {@code region} and {@code ch} of the last guest token minted, as far as it had them. */
  public JsonObject lastGuest() {
    return lastGuest.get().copy();
  }

  void reset() {
    embeds.reset();
    guests.reset();
    refreshes.reset();
    lastGuest.set(new JsonObject());
  }

  public JsonObject toJson() {
    return new JsonObject().put("embeds", embeds()).put("guests", guests()).put("refreshes", refreshes())
        .put("lastGuest", lastGuest());
  }
}
