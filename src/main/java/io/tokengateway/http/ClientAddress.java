package io.tokengateway.http;

import io.tokengateway.config.Cidr;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;

/**
 * Who the client is, for per-client limits: the TCP peer, unless the peer is a trusted proxy; then the
 * right-most {@code X-Forwarded-For} entry that is not itself a trusted proxy. A spoofed header from an
 * untrusted peer changes nothing, and a hop that is not an IP literal stops the walk (the peer counts).
 *
 * <p>The answer is the client's limiter key: an IPv4 address as written ({@code 203.0.113.7}; an IPv4-mapped
 * IPv6 address counts as its IPv4 address), and for IPv6 the client's /64 ({@code 2001:db8:1:2::/64}), because
 * one host owns a whole /64 and can rotate through it freely. Computed on every token request: an IPv4 peer
 * with no trusted proxies is returned as is, without parsing; nothing here ever resolves a name.
 */
public final class ClientAddress {

  static final String UNKNOWN = "unknown";
  private static final String FORWARDED_FOR = "X-Forwarded-For";

  private final Cidr[] trustedProxies;

  public ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = trustedProxies.toArray(new Cidr[0]);
  }

  /** The limiter key of {@code request}'s client. */
  public String of(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String peer = remote == null ? null : remote.hostAddress();
    if (peer != null && trustedProxies.length == 0 && peer.indexOf(':') < 0) {
      return peer; // the hot path: an IPv4 peer, already a dotted quad, and no header to read
    }
    return of(peer, request.headers());
  }

  /**
   * The key of a connection's TCP peer for the per-client connection bound, the same key as {@link #of} gives a
   * request of that peer sent without a proxy; null when the peer is a trusted proxy, whose connections carry
   * many clients and are not bounded per client. Called at accept, before any header is read.
   */
  public String ofPeer(SocketAddress remote) {
    String peer = remote == null ? null : remote.hostAddress();
    if (peer == null) {
      return UNKNOWN;
    }
    if (trustedProxies.length == 0 && peer.indexOf(':') < 0) {
      return peer;
    }
    byte[] peerBytes = Cidr.ipLiteral(peer);
    return peerBytes != null && trusted(peerBytes) ? null : keyOf(peerBytes, peer);
  }

  /** The limiter key of a client whose TCP peer is {@code peer} (null when unknown) and sent {@code headers}. */
  String of(String peer, MultiMap headers) {
    if (peer == null) {
      return UNKNOWN;
    }
    if (trustedProxies.length == 0) {
      return peer.indexOf(':') < 0 ? peer : keyOf(Cidr.ipLiteral(peer), peer);
    }
    byte[] peerBytes = Cidr.ipLiteral(peer);
    if (peerBytes == null || !trusted(peerBytes)) {
      return keyOf(peerBytes, peer);
    }
    byte[] client = rightMostUntrusted(headers.getAll(FORWARDED_FOR));
    return keyOf(client != null ? client : peerBytes, peer);
  }

  /** The limiter key of an address: IPv4 as a dotted quad, IPv6 as its /64; {@code fallback} when unparsed. */
  static String keyOf(byte[] address, String fallback) {
    if (address == null) {
      return fallback;
    }
    StringBuilder key = new StringBuilder(24);
    if (address.length == 4) {
      return key.append(address[0] & 0xFF).append('.').append(address[1] & 0xFF).append('.')
          .append(address[2] & 0xFF).append('.').append(address[3] & 0xFF).toString();
    }
    for (int i = 0; i < 8; i += 2) {
      key.append(Integer.toHexString((address[i] & 0xFF) << 8 | address[i + 1] & 0xFF)).append(':');
    }
    return key.append(":/64").toString();
  }

  /** The right-most hop of the headers that is not a trusted proxy; null when all are, or one is malformed. */
  private byte[] rightMostUntrusted(List<String> headers) {
    for (int h = headers.size() - 1; h >= 0; h--) {
      String header = headers.get(h);
      int end = header.length();
      while (end >= 0) {
        int comma = header.lastIndexOf(',', end - 1);
        String hop = header.substring(comma + 1, end).trim();
        end = comma;
        if (hop.isEmpty()) {
          continue;
        }
        byte[] address = Cidr.ipLiteral(hop);
        if (address == null) {
          return null; // a malformed hop: trust nothing further left
        }
        if (!trusted(address)) {
          return address;
        }
      }
    }
    return null;
  }

  private boolean trusted(byte[] address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
