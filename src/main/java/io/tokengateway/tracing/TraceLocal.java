package io.tokengateway.tracing;

import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * Where a request's {@link RequestTrace} is kept: a Vert.x context local on the request's own (duplicated)
 * context, which Vert.x carries through the futures, timers and client callbacks of that request. That is how the
 * SignalWire call and the Redis commands made on a request's behalf find its trace without it being passed
 * through every signature in between.
 *
 * <p>A context local must be registered before the first {@code Vertx} is created; Vert.x loads its service
 * providers first, so this class is one (declared in {@code META-INF/services}) that does nothing but register
 * the key. The only reason it names {@link VertxBootstrap} (an internal type) is the provider interface.
 */
public final class TraceLocal implements VertxServiceProvider {

  static final ContextLocal<RequestTrace> KEY = ContextLocal.registerLocal(RequestTrace.class);

  @Override
  public void init(VertxBootstrap builder) {
    // registering KEY (above, when Vert.x loads this class) is all there is to do
  }
}
