package io.tokengateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** What one {@link RateClient} run measured, as the one parseable RESULT line and the warnings beside it. */
final class RateReport {

  /** The client's own core busier than this (when it sleeps between requests): it may be adding latency. */
  static final double BUSY_CLIENT_PERCENT = 80;
  /** A polling loop that ran less than this share of the time shared its core with something else. */
  static final double SHARED_CORE_PERCENT = 90;
  /** The client's timer later than this at p99: requests did not leave when intended. */
  static final double LATE_TIMER_MS = 0.1;

  private final RateOptions options;
  private final String transport;
  private final double sentRps;
  private final double rps;
  private final Histogram latency;
  private final Histogram timerLag;
  private final long queued;
  private final long recorded;
  private final long errors;
  private final long timeouts;
  private final long unfinished;
  private final int backlogMax;
  private final long reconnects;
  private final long warmupDropped;
  private final ClientUsage usage;

  RateReport(RateOptions options, String transport, OpenLoop loop, ClientUsage usage) {
    this.options = options;
    this.transport = transport;
    this.sentRps = (double) loop.sentInWindow / options.durationSeconds();
    this.rps = (double) loop.completedInWindow / options.durationSeconds();
    this.latency = loop.latency.copy();
    this.timerLag = loop.timerLag.copy();
    this.queued = loop.queuedInWindow;
    this.recorded = loop.recorded;
    this.errors = loop.errors;
    this.timeouts = loop.timeouts;
    this.unfinished = loop.unfinished();
    this.backlogMax = loop.backlogMax;
    this.reconnects = loop.reconnects;
    this.warmupDropped = loop.warmupDropped;
    this.usage = usage;
  }

  /**
   * The client sent the offered rate (within 1%) and got answers: the latencies describe that rate. Sending
   * more than the rate means requests queued during the warm-up left during the window.
   */
  boolean valid() {
    return Math.abs(sentRps - options.rate()) <= options.rate() * RateClient.TOLERANCE && recorded > 0;
  }

  long recorded() {
    return recorded;
  }

  long errors() {
    return errors;
  }

  long timeouts() {
    return timeouts;
  }

  long unfinished() {
    return unfinished;
  }

  long reconnects() {
    return reconnects;
  }

  long warmupDropped() {
    return warmupDropped;
  }

  double sentRps() {
    return sentRps;
  }

  /** The recorded latencies, in nanoseconds from each request's intended send time. */
  Histogram latency() {
    return latency;
  }

  String line() {
    return String.format(Locale.ROOT, "RESULT target_rps=%.0f sent_rps=%.1f rps=%.1f p50_ms=%.3f p90_ms=%.3f"
            + " p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d timeouts=%d unfinished=%d connections=%d"
            + " queued=%d backlog_max=%d warmup_dropped=%d reconnects=%d timer_lag_p99_ms=%.3f timer_lag_max_ms=%.3f client_cpu_pct=%.1f"
            + " loop_cpu_pct=%.1f client_gc_ms=%d client_gcs=%d transport=%s status=%s",
        options.rate(), sentRps, rps, ms(latency, 50), ms(latency, 90), ms(latency, 99), ms(latency, 99.9),
        latency.getMaxValue() / 1e6, errors, timeouts, unfinished, options.connections(), queued, backlogMax, warmupDropped, reconnects,
        ms(timerLag, 99), timerLag.getMaxValue() / 1e6, usage.processPercent(), usage.loopPercent(),
        usage.gcMillis(), usage.gcCount(), transport, valid() ? "ok" : "INVALID");
  }

  List<String> warnings() {
    List<String> w = new ArrayList<>();
    if (!valid()) {
      w.add(String.format(Locale.ROOT, "*** RateClient could NOT keep the rate: sent %.0f/s for a %.0f/s target"
          + " (%+.1f%%%s, %d answered): these latencies are INVALID ***", sentRps, options.rate(),
          100 * (sentRps / options.rate() - 1), sentRps > options.rate() ? ": requests queued before the window"
          + " left during it" : "", recorded));
    }
    if (warmupDropped > 0) {
      w.add("RateClient: " + warmupDropped + " warm-up requests were still waiting for a connection when the window"
          + " opened (the server was not warm at this rate yet): dropped; a longer --warmup avoids it");
    }
    if (queued > 0) {
      w.add((valid() ? "RateClient: " : "*** ") + queued + " requests waited for a free connection (up to "
          + backlogMax + " at once): the server answered slower than the offered rate, or --connections="
          + options.connections() + " is too few" + (valid() ? "" : " ***"));
    }
    if (ms(timerLag, 99) > LATE_TIMER_MS) {
      w.add(String.format(Locale.ROOT, "RateClient: its timer ran late (p99 %.3f ms, max %.3f ms): part of each"
          + " latency is the client's own", ms(timerLag, 99), timerLag.getMaxValue() / 1e6));
    }
    if (options.spinMicros() == 0 && usage.processPercent() > BUSY_CLIENT_PERCENT) {
      w.add(String.format(Locale.ROOT, "RateClient: used %.0f%% of its core: it may be adding latency of its own",
          usage.processPercent()));
    }
    boolean alwaysPolling = options.spinMicros() > 0 && options.rate() > 1e6 / options.spinMicros();
    if (alwaysPolling && usage.loopPercent() < SHARED_CORE_PERCENT) {
      w.add(String.format(Locale.ROOT, "*** RateClient's loop, which polls without sleeping at this rate, ran only"
          + " %.0f%% of the time: something else ran on its core, the figures are noisy ***", usage.loopPercent()));
    }
    if (errors + timeouts + unfinished > 0) {
      w.add("RateClient: " + errors + " errors (non-2xx or failed), " + timeouts + " timeouts (" + options.timeoutMs()
          + " ms without data), " + unfinished + " unanswered at the end");
    }
    return w;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e6;
  }
}
