package io.tokengateway.http;

import io.tokengateway.core.Lifecycle;
import static io.tokengateway.support.Await.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Readiness follows the lifecycle: 503 while starting, 200 when ready, 503 while draining. */
@ExtendWith(VertxExtension.class)
class HealthHandlersIT {

  @Test
  void readinessFollowsTheLifecycle(Vertx vertx) {
    Lifecycle lifecycle = new Lifecycle();
    HealthHandlers health = new HealthHandlers(lifecycle, "signalwire");
    Router router = Router.router(vertx);
    router.get("/health/ready").handler(health::ready);
    router.get("/health/live").handler(health::live);
    HttpServer server = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    WebClient client = WebClient.create(vertx);
    int port = server.actualPort();

    assertThat(await(client.get(port, "127.0.0.1", "/health/ready").send()).statusCode()).isEqualTo(503);
    assertThat(await(client.get(port, "127.0.0.1", "/health/live").send()).statusCode()).isEqualTo(200);
    lifecycle.ready();
    assertThat(await(client.get(port, "127.0.0.1", "/health/ready").send()).bodyAsJsonObject().getString("status"))
        .isEqualTo("UP");
    lifecycle.drain();
    assertThat(await(client.get(port, "127.0.0.1", "/health/ready").send()).statusCode()).isEqualTo(503);
    lifecycle.ready();
    assertThat(lifecycle.state()).as("a draining process never becomes ready again").isEqualTo(Lifecycle.State.DRAINING);
  }
}
