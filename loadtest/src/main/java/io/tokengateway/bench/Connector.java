package io.tokengateway.bench;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/** Opens the rate client's connections, all served by one event loop. */
interface Connector {

  /** The one event loop that runs the schedule and every connection. */
  EventLoop eventLoop();

  /** Opens a connection whose events go to {@code loop}; completes on the event loop. */
  CompletableFuture<ClientConnection> open(OpenLoop loop);

  /** Releases the event loop and everything else the connector holds. */
  void shutdown() throws Exception;
}
