package io.tokengateway.logging;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.github.benmanes.caffeine.cache.Ticker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * Collapses floods of expected rejections in the access log. Per reason ({@code client_limited},
 * {@code rate_limited}, {@code rejected_by_breaker}, {@code invalid_request}) the first
 * {@code linesPerInterval} rejections of an interval are written in full; the others only counted, and once
 * the interval is over one summary line per reason says how many there were and how many were not written.
 * Intervals are measured on the injected ticker. Lock-free, and exact: every rejection not written is in
 * exactly one summary line (or in the last one, written by {@link #summarizeAll()} at shutdown).
 *
 * <p>Other floods use the same rule with their own reasons and summary message ({@link #admit(String)}):
 * the upstream calls' faults, for one.
 */
public final class RejectionSummaries {

  /** The expected rejections, by the outcome label the access line carries. */
  private static final List<String> REASONS =
      List.of("client_limited", "rate_limited", "rejected_by_breaker", "invalid_request");

  private final Logger log;
  private final String message;
  private final int linesPerInterval;
  private final long intervalNanos;
  private final Ticker ticker;
  private final Reason[] reasons;

  /** The access log's expected rejections, summarized as {@code rejections summarized}. */
  public RejectionSummaries(Logger log, int linesPerInterval, int intervalSeconds, Ticker ticker) {
    this(log, "rejections summarized", REASONS, linesPerInterval, intervalSeconds, ticker);
  }

  /** Summaries of the events of {@code labels} ({@link #admit(String)}), whose summary lines say {@code message}. */
  public RejectionSummaries(Logger log, String message, List<String> labels, int linesPerInterval,
      int intervalSeconds, Ticker ticker) {
    this.log = log;
    this.message = message;
    this.linesPerInterval = linesPerInterval;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(intervalSeconds);
    this.ticker = ticker;
    long now = ticker.read();
    this.reasons = labels.stream().map(label -> new Reason(label, now)).toArray(Reason[]::new);
  }

  /** Whether an event of {@code reason} (one of those given at construction) is written in full, or only counted. */
  public boolean admit(String reason) {
    Reason r = find(reason);
    if (r == null) {
      throw new IllegalArgumentException("not a reason of these summaries: " + reason);
    }
    return r.admit(ticker.read());
  }

  /**
   * Whether the access line of a request answered {@code status} with {@code outcome} is to be written: always
   * for anything but an expected rejection, else while its reason has lines left in this interval.
   */
  public boolean admit(int status, String outcome) {
    Reason reason = reasonOf(status, outcome);
    return reason == null || reason.admit(ticker.read());
  }

  /** Writes the summary of every reason whose interval is over (a periodic call; the next rejection also does). */
  public void summarizeEnded() {
    long now = ticker.read();
    for (Reason r : reasons) {
      r.rollIfEnded(now);
    }
  }

  /** Writes the summary of every reason now, interval over or not: at shutdown, so no count is lost. */
  public void summarizeAll() {
    for (Reason r : reasons) {
      r.summarize();
    }
  }

  private Reason reasonOf(int status, String outcome) {
    if (status < 400 || outcome == null || status >= 500 && outcome.equals("invalid_request")) {
      return null;
    }
    return find(outcome);
  }

  private Reason find(String label) {
    for (Reason r : reasons) {
      if (r.label.equals(label)) {
        return r;
      }
    }
    return null;
  }

  /** One reason's interval: when it started, lines written in it, and the counts since the last summary. */
  private final class Reason {
    private final String label;
    private final AtomicLong start;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    Reason(String label, long now) {
      this.label = label;
      this.start = new AtomicLong(now);
    }

    boolean admit(long now) {
      rollIfEnded(now);
      rejected.incrementAndGet();
      if (written.incrementAndGet() <= linesPerInterval) {
        return true;
      }
      suppressed.incrementAndGet();
      return false;
    }

    /** One thread wins the roll-over; a rejection counted meanwhile lands in the next summary, never in none. */
    void rollIfEnded(long now) {
      long started = start.get();
      if (now - started >= intervalNanos && start.compareAndSet(started, now)) {
        summarize();
        written.set(0);
      }
    }

    void summarize() {
      long notWritten = suppressed.getAndSet(0);
      long all = rejected.getAndSet(0);
      if (notWritten > 0) {
        log.info(message, kv("reason", label), kv("rejected", all), kv("suppressed", notWritten),
            kv("intervalSeconds", intervalNanos / 1_000_000_000L));
      }
    }
  }
}
