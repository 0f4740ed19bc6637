package io.tokengateway.bench;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * An open-loop schedule on one event loop: request {@code i} is due at {@code t0 + i / rate}, whatever the
 * server is doing. A due request goes out on an idle keep-alive connection (one exchange per connection at a
 * time, no pipelining); when every connection is busy it waits in a backlog and leaves on the next connection
 * that frees up. Each latency is measured from the request's INTENDED send time, so time spent waiting for a
 * connection or for a late timer counts (coordinated omission corrected). Only requests intended inside the
 * measured window are recorded; the warm-up before it runs at the same rate, and its requests still waiting for
 * a connection when the window opens are dropped. Within {@code spinNanos} of the next
 * request the loop polls its sockets instead of sleeping, so requests leave on time (the timer lag says how
 * late they left) at the cost of a busy load core. A sweep every 100 ms fails
 * exchanges older than the timeout and replaces their connections.
 *
 * <p>Every field is touched on the event loop's thread only.
 */
final class OpenLoop {

  /** Highest recordable latency: 60 s, in nanoseconds (longer ones are clamped). */
  static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long SWEEP_MS = 100;

  private final EventLoop loop;
  private final Connector connector;
  private final double periodNanos;
  private final long spinNanos;
  private final Runnable tickTask = this::tick;
  private final long timeoutNanos;
  private final long t0;
  private final long measureStart;
  private final long measureEnd;

  private final ArrayDeque<ClientConnection> idle = new ArrayDeque<>();
  private final List<ClientConnection> open = new ArrayList<>();
  private long[] backlog = new long[1024];
  private int backlogHead;
  private int backlogSize;
  private long next; // index of the next request to schedule

  final Histogram latency = new Histogram(HIGHEST_NANOS, 3);
  /** How late the timer fired for each request: the client's own lateness (waits for a connection excluded). */
  final Histogram timerLag = new Histogram(HIGHEST_NANOS, 3);
  long sentInWindow;
  long completedInWindow;
  long queuedInWindow;
  long recorded;
  long errors;
  long timeouts;
  long inFlight;
  int backlogMax;
  long reconnects;
  /** Warm-up requests still waiting for a connection when the window opened: dropped, never sent. */
  long warmupDropped;
  private boolean windowOpen;
  boolean scheduling = true;
  boolean stopped;

  OpenLoop(Connector connector, double rate, long spinNanos, long timeoutNanos, long t0, long warmupNanos,
      long durationNanos) {
    this.loop = connector.eventLoop();
    this.connector = connector;
    this.periodNanos = 1e9 / rate;
    this.spinNanos = spinNanos;
    this.timeoutNanos = timeoutNanos;
    this.t0 = t0;
    this.measureStart = t0 + warmupNanos;
    this.measureEnd = measureStart + durationNanos;
  }

  long measureStart() {
    return measureStart;
  }

  long measureEnd() {
    return measureEnd;
  }

  /** Starts the schedule at {@code t0} and the timeout sweep (call on the event loop). */
  void start() {
    loop.schedule(tickTask, Math.max(0, t0 - System.nanoTime()), TimeUnit.NANOSECONDS);
    loop.scheduleAtFixedRate(this::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
  }

  /** A newly opened connection joins the others. */
  void added(ClientConnection connection) {
    if (stopped) {
      connection.close();
      return;
    }
    open.add(connection);
    ready(connection);
  }

  /**
   * The answer to {@code connection}'s exchange has arrived whole; {@code reusable} is false when the server
   * said {@code Connection: close}, and the connection is then replaced rather than reused.
   */
  void answered(ClientConnection connection, int status, boolean reusable) {
    if (!connection.busy) {
      return; // already failed by the sweep
    }
    long now = finish(connection);
    if (inWindow(connection.intended)) {
      if (status / 100 == 2) {
        latency.recordValue(Math.min(now - connection.intended, HIGHEST_NANOS));
        recorded++;
      } else {
        errors++;
      }
    }
    if (!reusable) {
      connection.close(); // its close handler opens another one
    } else if (!connection.closed) {
      ready(connection);
    }
  }

  /** The exchange failed (or timed out): it is counted and the connection, in an unknown state, replaced. */
  void failed(ClientConnection connection, boolean timeout) {
    if (connection.busy) {
      finish(connection);
      if (inWindow(connection.intended)) {
        if (timeout) {
          timeouts++;
        } else {
          errors++;
        }
      }
    }
    connection.close();
  }

  /** A connection was closed (by the server, or after a failure): another one is opened instead. */
  void closed(ClientConnection connection) {
    if (connection.closed) {
      return;
    }
    connection.closed = true;
    if (connection.busy) {
      finish(connection); // closed mid-exchange
      if (inWindow(connection.intended)) {
        errors++;
      }
    }
    idle.remove(connection);
    open.remove(connection);
    if (!stopped) {
      reconnects++;
      reopen();
    }
  }

  /** Nothing in flight and nothing queued: the schedule is over and every request has its answer. */
  boolean drained() {
    return !scheduling && inFlight == 0 && backlogSize == 0;
  }

  /** Requests intended but never answered (still queued or in flight when the run stopped waiting). */
  long unfinished() {
    return inFlight + backlogSize;
  }

  /** Ends the run: no more reconnects, every connection closed. */
  void stop() {
    stopped = true;
    scheduling = false;
    new ArrayList<>(open).forEach(ClientConnection::close);
  }

  private void reopen() {
    connector.open(this).whenComplete((connection, failure) -> loop.execute(() -> {
      if (connection != null) {
        added(connection);
      } else if (!stopped) {
        System.err.println("RateClient: reconnect failed: " + failure);
        loop.schedule(this::reopen, SWEEP_MS, TimeUnit.MILLISECONDS);
      }
    }));
  }

  private long intended(long index) {
    return t0 + (long) (index * periodNanos);
  }

  private void tick() {
    if (stopped) {
      return;
    }
    long now = System.nanoTime();
    if (!windowOpen && now >= measureStart) {
      windowOpen = true;
      dropWarmupBacklog();
    }
    long due;
    while ((due = intended(next)) <= now && due < measureEnd) {
      if (inWindow(due)) {
        timerLag.recordValue(Math.min(now - due, HIGHEST_NANOS));
      }
      submit(due);
      next++;
    }
    if (due >= measureEnd) {
      scheduling = false;
      return;
    }
    // Close to the next request the loop polls instead of sleeping: a task due now makes it check its sockets
    // without blocking and come back once per pass. A wake-up from sleep costs tens of microseconds on a VM and
    // would make every request late by that much; far from it, a timer wakes the loop spinNanos early.
    long wait = due - System.nanoTime();
    loop.schedule(tickTask, wait <= spinNanos ? 0 : wait - spinNanos, TimeUnit.NANOSECONDS);
  }

  private void submit(long intended) {
    ClientConnection connection = idle.pollFirst();
    if (connection != null) {
      send(connection, intended);
    } else {
      if (inWindow(intended)) {
        queuedInWindow++;
      }
      pushBacklog(intended);
    }
  }

  private void ready(ClientConnection connection) {
    if (backlogSize > 0) {
      send(connection, pollBacklog());
    } else {
      idle.addLast(connection);
    }
  }

  private void send(ClientConnection connection, long intended) {
    long now = System.nanoTime();
    if (now >= measureStart && now < measureEnd) {
      sentInWindow++;
    }
    connection.intended = intended;
    connection.sentAt = now;
    connection.busy = true;
    inFlight++;
    connection.send();
  }

  private long finish(ClientConnection connection) {
    long now = System.nanoTime();
    connection.busy = false;
    inFlight--;
    if (now >= measureStart && now < measureEnd) {
      completedInWindow++;
    }
    return now;
  }

  private void sweep() {
    long now = System.nanoTime();
    List<ClientConnection> late = new ArrayList<>();
    for (ClientConnection c : open) {
      if (c.busy && now - c.sentAt > timeoutNanos) {
        late.add(c);
      }
    }
    late.forEach(c -> failed(c, true));
  }

  /**
   * A server still cold at the end of the warm-up leaves requests queued behind busy connections; sent in the
   * window they would stand for the warm-up, not for the rate, so they are dropped (the backlog is in order).
   */
  private void dropWarmupBacklog() {
    while (backlogSize > 0 && backlog[backlogHead] < measureStart) {
      pollBacklog();
      warmupDropped++;
    }
  }

  private boolean inWindow(long intended) {
    return intended >= measureStart && intended < measureEnd;
  }

  private void pushBacklog(long intended) {
    if (backlogSize == backlog.length) {
      long[] bigger = new long[backlog.length * 2];
      for (int i = 0; i < backlogSize; i++) {
        bigger[i] = backlog[(backlogHead + i) % backlog.length];
      }
      backlog = bigger;
      backlogHead = 0;
    }
    backlog[(backlogHead + backlogSize) % backlog.length] = intended;
    backlogSize++;
    backlogMax = Math.max(backlogMax, backlogSize);
  }

  private long pollBacklog() {
    long intended = backlog[backlogHead];
    backlogHead = (backlogHead + 1) % backlog.length;
    backlogSize--;
    return intended;
  }
}
