package io.tokengateway.http.connection;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each client holds open on a listener, bounded: a client past its share has its new
 * connection closed at accept, before any request is read, so one address cannot fill the listener. A client
 * is a key of {@code ClientAddress.ofPeer} (an IPv4 address, an IPv6 /64); only
 * clients with a connection open have an entry, so the map is bounded by the listener's connections. Counted at
 * accept and close only, from any event loop.
 */
final class ClientConnections {

  private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
  private final int maxPerClient;
  private final Counter rejected;

  ClientConnections(int maxPerClient, Counter rejected) {
    this.maxPerClient = maxPerClient;
    this.rejected = rejected;
  }

  /**
   * Counts {@code channel} for {@code client} until it closes; false (it is closed and counted) when the client
   * already holds its share. A null client (a trusted proxy) is not bounded.
   */
  boolean open(String client, Channel channel) {
    if (client == null) {
      return true;
    }
    if (open.merge(client, 1, Integer::sum) > maxPerClient) {
      release(client);
      rejected.increment();
      channel.close();
      return false;
    }
    channel.closeFuture().addListener(f -> release(client));
    return true;
  }

  private void release(String client) {
    open.computeIfPresent(client, (c, n) -> n == 1 ? null : n - 1);
  }
}
