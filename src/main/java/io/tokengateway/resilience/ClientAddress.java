package io.tokengateway.resilience;

import io.tokengateway.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * Who the client is, for per-client limits: the TCP peer, unless the peer is a trusted proxy; then the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. A spoofed header from an
 * untrusted peer changes nothing.
 */
public final class ClientAddress {

  private final List<Cidr> trustedProxies;

  public ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  public String of(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null || remote.hostAddress() == null ? "unknown" : remote.hostAddress();
    if (trustedProxies.isEmpty() || !trusted(peer)) {
      return peer;
    }
    List<String> forwarded = request.headers().getAll("X-Forwarded-For");
    for (int h = forwarded.size() - 1; h >= 0; h--) {
      String[] hops = forwarded.get(h).split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        if (hop.isEmpty()) {
          continue;
        }
        if (Cidr.ipLiteral(hop) == null) {
          return peer; // a malformed hop: trust nothing further left
        }
        if (!trusted(hop)) {
          return hop;
        }
      }
    }
    return peer;
  }

  private boolean trusted(String address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
