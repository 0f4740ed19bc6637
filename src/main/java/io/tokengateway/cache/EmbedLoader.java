package io.tokengateway.cache;

import io.tokengateway.upstream.TokenAnswer;
import io.vertx.core.Future;

/** Where the embed cache gets an answer it does not hold: SignalWire, or first the cluster's shared cache. */
@FunctionalInterface
public interface EmbedLoader {

  /**
   * The embed answer for {@code c2c}, or a failed future ({@link io.tokengateway.core.GatewayFailure}).
   *
   * @param refresh true when a held entry is due for replacement: an answer as old as that entry will not do
   */
  Future<TokenAnswer> load(String c2c, boolean refresh);
}
