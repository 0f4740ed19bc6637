package io.tokengateway.bench;

import io.netty.channel.EventLoop;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.transport.Transport;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Connections of a Vert.x 5 {@code HttpClient} on one event loop ({@code --client=vertx}): each exchange is a
 * Vert.x request on an unpooled keep-alive connection. It measures the same thing as {@link NettyConnector} but
 * spends several times the CPU per request (request, stream, headers and futures each time), so it runs out
 * of core sooner; it is kept to cross-check the Netty-level client.
 */
final class VertxConnector implements Connector {

  private final Vertx vertx;
  private final ContextInternal context;
  private final HttpClientAgent client;
  private final HttpConnectOptions connect;
  private final RequestOptions request;
  private final Buffer body;
  private final String transport;

  VertxConnector(URI url, int port, String contentType, byte[] body, long connectTimeoutMs) {
    Transport t = Transport.EPOLL.available() ? Transport.EPOLL : Transport.NIO;
    transport = "vertx-" + t.name().toLowerCase();
    vertx = Vertx.builder()
        .with(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1))
        .withTransport(t)
        .build();
    context = (ContextInternal) vertx.getOrCreateContext();
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setPipelining(false)
        .setTcpNoDelay(true).setDecompressionSupported(false));
    connect = new HttpConnectOptions().setHost(url.getHost()).setPort(port).setConnectTimeout(connectTimeoutMs);
    request = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
        .setURI(NettyConnector.path(url)).putHeader(HttpHeaders.CONTENT_TYPE, contentType);
    this.body = Buffer.buffer(body);
  }

  String transport() {
    return transport;
  }

  @Override
  public EventLoop eventLoop() {
    return context.nettyEventLoop();
  }

  @Override
  public CompletableFuture<ClientConnection> open(OpenLoop loop) {
    CompletableFuture<ClientConnection> opened = new CompletableFuture<>();
    context.runOnContext(v -> client.connect(connect).onComplete(ar -> {
      if (ar.failed()) {
        opened.completeExceptionally(ar.cause());
        return;
      }
      VertxConnection connection = new VertxConnection(ar.result(), loop);
      ar.result().closeHandler(closed -> loop.closed(connection));
      opened.complete(connection);
    }));
    return opened;
  }

  @Override
  public void shutdown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** One connection: a Vert.x request per exchange, its whole body read before the status is reported. */
  private final class VertxConnection extends ClientConnection {
    private final HttpClientConnection connection;
    private final OpenLoop loop;

    VertxConnection(HttpClientConnection connection, OpenLoop loop) {
      this.connection = connection;
      this.loop = loop;
    }

    @Override
    void send() {
      connection.request(request)
          .compose((HttpClientRequest req) -> req.send(body))
          .compose((HttpClientResponse resp) -> resp.body().map(b -> resp))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              loop.answered(this, ar.result().statusCode(),
                  !"close".equalsIgnoreCase(ar.result().getHeader(HttpHeaders.CONNECTION)));
            } else {
              loop.failed(this, false);
            }
          });
    }

    @Override
    void close() {
      connection.close();
    }
  }
}
