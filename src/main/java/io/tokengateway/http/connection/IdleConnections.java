package io.tokengateway.http.connection;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The idle HTTP/1.1 connections of one listener, so that a full listener closes its longest-idle connection to
 * make room for a new one instead of refusing it. Idle means no request being read and no answer owed
 * ({@link ConnectionGuard} says when); a connection with a request in flight is never chosen.
 *
 * <p>Each event loop keeps its idle connections in a list of its own, oldest first, touched only on that loop:
 * turning busy and idle again, once per request, costs a few field writes and a clock read (no lock, no
 * allocation, and a volatile write only when the loop's oldest changes). Only making room looks across loops,
 * and only when the listener is full: it reads each loop's published oldest idle time, has the loop holding the
 * oldest close it there, and keeps the new connection unread until then. When the one chosen got busy in
 * between and no other is idle, the new connection is refused after all.
 */
final class IdleConnections {

  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();
  private final Counter evicted;

  IdleConnections(Counter evicted) {
    this.evicted = evicted;
  }

  /** The entry of {@code channel} in its event loop's list, idle or not; at accept, on that loop. */
  Entry entry(Channel channel) {
    return new Entry(loops.computeIfAbsent(channel.eventLoop(), Loop::new), channel);
  }

  /**
   * Closes the longest-idle connection to make room for {@code newcomer}; false (nothing done) when none is
   * idle. The newcomer reads nothing until that connection is closed on its own event loop; when it got busy
   * meanwhile and none is left idle, {@code refuse} runs on the newcomer's event loop instead. On the
   * newcomer's event loop.
   */
  boolean makeRoom(Channel newcomer, Runnable refuse) {
    Loop oldest = oldest();
    if (oldest == null) {
      return false;
    }
    newcomer.config().setAutoRead(false);
    evictOn(oldest, newcomer, refuse, loops.size());
    return true;
  }

  private void evictOn(Loop loop, Channel newcomer, Runnable refuse, int triesLeft) {
    loop.executor.execute(() -> {
      if (!newcomer.isActive()) {
        return; // gone already: no room to make
      }
      if (loop.closeOldest(newcomer)) {
        evicted.increment();
        newcomer.config().setAutoRead(true); // Netty runs the read it starts on the newcomer's loop
        return;
      }
      Loop next = triesLeft > 0 ? oldest() : null;
      if (next == null) {
        newcomer.eventLoop().execute(refuse);
      } else {
        evictOn(next, newcomer, refuse, triesLeft - 1);
      }
    });
  }

  /** The loop holding the longest-idle connection, as last published; null when none is idle. */
  private Loop oldest() {
    Loop oldest = null;
    long since = Long.MAX_VALUE;
    for (Loop loop : loops.values()) {
      long s = loop.oldestSince;
      if (s < since) {
        since = s;
        oldest = loop;
      }
    }
    return oldest;
  }

  /** One event loop's idle connections, oldest first; changed only on that loop. */
  private static final class Loop {
    private final EventLoop executor;
    private Entry oldest;
    private Entry newest;
    /** When {@link #oldest} became idle, on the loops' shared ticker; {@link Long#MAX_VALUE} when none is. */
    private volatile long oldestSince = Long.MAX_VALUE;

    Loop(EventLoop executor) {
      this.executor = executor;
    }

    void append(Entry e) {
      e.since = executor.ticker().nanoTime();
      e.prev = newest;
      if (newest == null) {
        oldest = e;
        oldestSince = e.since;
      } else {
        newest.next = e;
      }
      newest = e;
      e.linked = true;
    }

    void remove(Entry e) {
      if (e.prev == null) {
        oldest = e.next;
        oldestSince = oldest == null ? Long.MAX_VALUE : oldest.since;
      } else {
        e.prev.next = e.next;
      }
      if (e.next == null) {
        newest = e.prev;
      } else {
        e.next.prev = e.prev;
      }
      e.prev = null;
      e.next = null;
      e.linked = false;
    }

    /** Closes the longest-idle connection here other than {@code except}; false when there is none. */
    boolean closeOldest(Channel except) {
      Entry e = oldest != null && oldest.channel == except ? oldest.next : oldest;
      if (e == null) {
        return false;
      }
      remove(e);
      e.channel.close();
      return true;
    }
  }

  /** One connection's place in its event loop's list; used on that loop only. */
  static final class Entry {
    private final Loop loop;
    private final Channel channel;
    private Entry prev;
    private Entry next;
    private long since;
    private boolean linked;

    private Entry(Loop loop, Channel channel) {
      this.loop = loop;
      this.channel = channel;
    }

    /** The connection is idle from now on (it goes last, as the newest idle), or busy (it leaves the list). */
    void idle(boolean idle) {
      if (idle && !linked) {
        loop.append(this);
      } else if (!idle && linked) {
        loop.remove(this);
      }
    }
  }
}
