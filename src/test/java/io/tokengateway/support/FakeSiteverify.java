package io.tokengateway.support;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A CAPTCHA provider's siteverify endpoint on a random loopback port: records every form it receives and
 * answers as the test set (by default, and to requests released from {@link #hang}, a solved CAPTCHA:
 * {@code {"success":true,"hostname":"www.example.com"}}; hangs, trickles, oversized or cut answers for the
 * failure tests).
 */
public final class FakeSiteverify {

  public static final JsonObject SOLVED = new JsonObject().put("success", true).put("hostname", "www.example.com");

  private final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<HttpServerRequest> hanging = new ConcurrentLinkedQueue<>();
  private final AtomicInteger cutsLeft = new AtomicInteger();
  private volatile Consumer<HttpServerRequest> behaviour;
  private HttpServer server;
  private Vertx vertx;

  public static FakeSiteverify start(Vertx vertx) {
    FakeSiteverify fake = new FakeSiteverify();
    fake.vertx = vertx;
    fake.answer(SOLVED);
    fake.server = Await.await(vertx.createHttpServer().requestHandler(fake::handle).listen(0, "127.0.0.1"));
    return fake;
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/siteverify";
  }

  /** Every form received, as name to value. */
  public List<Map<String, String>> forms() {
    return forms;
  }

  public int calls() {
    return forms.size();
  }

  /** Answer 200 with this JSON. */
  public FakeSiteverify answer(JsonObject json) {
    return answer(200, json.encode());
  }

  public FakeSiteverify answer(int status, String body) {
    behaviour = req -> req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    return this;
  }

  /** Never answer. */
  public FakeSiteverify hang() {
    behaviour = hanging::add;
    return this;
  }

  /** Send the headers and one byte of body every {@code everyMs}, never finishing: an idle timeout never trips. */
  public FakeSiteverify trickle(long everyMs) {
    behaviour = req -> {
      req.response().setChunked(true).putHeader("Content-Type", "application/json").write("{\"success\":true");
      long[] timer = {0};
      timer[0] = vertx.setPeriodic(everyMs, id -> {
        if (req.response().closed()) {
          vertx.cancelTimer(timer[0]);
        } else {
          req.response().write(" ");
        }
      });
    };
    return this;
  }

  /** A chunked answer of {@code bytes} bytes (no Content-Length). */
  public FakeSiteverify oversized(int bytes) {
    behaviour = req -> {
      req.response().setChunked(true).putHeader("Content-Type", "application/json");
      req.response().write("{\"success\":true,\"pad\":\"");
      req.response().end(Buffer.buffer("x".repeat(bytes)).appendString("\"}"));
    };
    return this;
  }

  /** The next {@code n} requests get their connection closed without an answer (then the set behaviour). */
  public FakeSiteverify cutNext(int n) {
    cutsLeft.set(n);
    return this;
  }

  public int hangingCount() {
    return hanging.size();
  }

  public void releaseHanging() {
    HttpServerRequest req;
    while ((req = hanging.poll()) != null) {
      req.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(SOLVED.encode());
    }
  }

  private void handle(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Map<String, String> form = new HashMap<>();
      new QueryStringDecoder(body.toString(StandardCharsets.UTF_8), false).parameters()
          .forEach((k, v) -> form.put(k, v.get(0)));
      form.put(":content-type", String.valueOf(req.getHeader("Content-Type")));
      forms.add(form);
      if (cutsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        req.connection().close();
      } else {
        behaviour.accept(req);
      }
    });
  }
}
