package io.tokengateway.guest;

import static io.tokengateway.support.Answers.assertError;
import static io.tokengateway.support.GatewayHarness.ADDRESS;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.tokengateway.config.GatewayConfig;
import io.tokengateway.support.Await;
import io.tokengateway.support.FakeJwks;
import io.tokengateway.support.FakeSignalWire;
import io.tokengateway.support.GatewayHarness;
import io.tokengateway.support.ManualTime;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The site's own sign-in: Authorization: Bearer <JWT>, checked before SignalWire is called. */
@ExtendWith(VertxExtension.class)
class JwtIT {

  static final String GUESTS = "/api/fabric/guests/tokens";
  static final String BODY = "{\"allowed_addresses\":[\"" + ADDRESS + "\"]}";
  static final String OTHER_ADDRESS = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  private static final Instant START = Instant.parse("2026-06-01T12:00:00Z");

  private Vertx vertx;
  private FakeSignalWire upstream;
  private final ManualTime time = new ManualTime(START);
  private GatewayHarness gw;

  @BeforeEach
  void upstream(Vertx vertx) {
    this.vertx = vertx;
    upstream = FakeSignalWire.start(vertx);
  }

  @AfterEach
  void stop() {
    if (gw != null) {
      gw.stop();
    }
  }

  private GatewayHarness start(Map<String, ?> extra) {
    Map<String, Object> s = new HashMap<>(Map.of("guest.jwt.issuer", Jwts.ISSUER, "guest.jwt.audience", Jwts.AUDIENCE));
    s.putAll(extra);
    gw = GatewayHarness.start(vertx, GatewayConfig.of(GatewayHarness.settings(upstream, s)), time.time());
    return gw;
  }

  private GatewayHarness hs256() {
    return start(Map.of("guest.jwt.secret", Jwts.HS_SECRET));
  }

  private GatewayHarness jwks(FakeJwks site) {
    return start(Map.of("guest.jwt.jwksUrl", site.url()));
  }

  private HttpResponse<Buffer> mint(String authorization) {
    return mint(authorization, BODY);
  }

  private HttpResponse<Buffer> mint(String authorization, String body) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap();
    if (authorization != null) {
      h.add("Authorization", authorization);
    }
    return gw.post(GUESTS, "application/json", body, h);
  }

  private JWTClaimsSet.Builder claims() {
    return Jwts.claims(time.instant(), "visitor-1");
  }

  private static void assertUnauthorized(HttpResponse<Buffer> r) {
    assertError(r, 401, "Unauthorized");
    assertThat(r.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
  }

  @Test
  void aValidHs256TokenMintsAndIsNeverForwarded() {
    hs256();
    String jwt = Jwts.hs256(Jwts.HS_SECRET, claims().build());

    HttpResponse<Buffer> r = mint("Bearer " + jwt);

    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(1);
    String sent = upstream.received().get(0).headers().get("Authorization");
    assertThat(sent).startsWith("Basic ").doesNotContain(jwt);
    assertThat(upstream.received().get(0).body().toString()).doesNotContain(jwt);
    assertThat(gw.metric("gateway_guest_checks_total{check=\"jwt\",result=\"pass\"}")).hasValue(1.0);
  }

  @Test
  void missingMalformedOrWronglySignedTokensGet401WithTheBearerChallenge() {
    hs256();
    for (String auth : new String[] {null, "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a.b.c",
        "Bearer " + Jwts.hs256("another-secret-of-at-least-32-bytes!!", claims().build())}) {
      assertUnauthorized(mint(auth));
    }
    assertThat(upstream.calls()).isZero();
    assertThat(gw.metric("gateway_guest_checks_total{check=\"jwt\",result=\"fail\"}")).hasValue(6.0);
  }

  @Test
  void expiryAndNotBeforeAreCheckedOnTheInjectedClockWithTheSkew() {
    hs256();
    Instant now = time.instant();
    String expired = Jwts.hs256(Jwts.HS_SECRET, claims().expirationTime(Date.from(now.minusSeconds(31))).build());
    String justExpired = Jwts.hs256(Jwts.HS_SECRET, claims().expirationTime(Date.from(now.minusSeconds(29))).build());
    String notYet = Jwts.hs256(Jwts.HS_SECRET, claims().notBeforeTime(Date.from(now.plusSeconds(31))).build());
    String almost = Jwts.hs256(Jwts.HS_SECRET, claims().notBeforeTime(Date.from(now.plusSeconds(29))).build());
    String noExp = Jwts.hs256(Jwts.HS_SECRET, claims().expirationTime(null).build());

    assertUnauthorized(mint("Bearer " + expired));
    assertUnauthorized(mint("Bearer " + notYet));
    assertUnauthorized(mint("Bearer " + noExp));
    assertThat(upstream.calls()).isZero();
    assertThat(mint("Bearer " + justExpired).statusCode()).as("within guest.jwt.clockSkewSeconds").isEqualTo(201);
    assertThat(mint("Bearer " + almost).statusCode()).as("within guest.jwt.clockSkewSeconds").isEqualTo(201);

    time.advance(Duration.ofSeconds(400));
    String valid = Jwts.hs256(Jwts.HS_SECRET, claims().build());
    assertThat(mint("Bearer " + valid).statusCode()).isEqualTo(201);
    time.advance(Duration.ofSeconds(331));
    assertUnauthorized(mint("Bearer " + valid));
  }

  @Test
  void wrongIssuerAudienceOrNoSubjectGet401() {
    hs256();
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().issuer("https://evil.example.com/").build())));
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().issuer(null).build())));
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().audience("another-service").build())));
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().audience((String) null).build())));
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().subject(null).build())));
    assertThat(upstream.calls()).isZero();
    assertThat(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET,
        claims().audience(List.of("another-service", Jwts.AUDIENCE)).build())).statusCode())
        .as("one of several audiences is enough").isEqualTo(201);
  }

  @Test
  void anHs256TokenWithAnyKidVerifiesWithTheSecret() {
    hs256();
    for (String kid : new String[] {"site-key-1", "2024-06", "a kid the gateway was never told about", ""}) {
      assertThat(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, kid, claims().build())).statusCode())
          .as("kid '" + kid + "'").isEqualTo(201);
    }
    assertUnauthorized(mint("Bearer " + Jwts.hs256("another-secret-of-at-least-32-bytes!!", "site-key-1",
        claims().build())));
    assertThat(upstream.calls()).as("only the tokens signed with the secret").isEqualTo(4);
  }

  @Test
  void anEmptyOrNonStringSubjectGets401AndSignalWireIsNotCalled() {
    start(Map.of("guest.jwt.secret", Jwts.HS_SECRET, "guest.quota.perClientPerHour", 1_000));
    for (Object subject : new Object[] {"", " ", 123, 1.5, true, List.of("visitor-1"), Map.of("id", "visitor-1")}) {
      String jwt = Jwts.hs256(Jwts.HS_SECRET, claims().claim("sub", subject).build());
      HttpResponse<Buffer> r = mint("Bearer " + jwt);
      assertThat(r.statusCode()).as("sub " + subject).isEqualTo(401);
      assertUnauthorized(r);
    }
    assertUnauthorized(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().subject(null).build())));
    assertThat(upstream.calls()).isZero();
    assertThat(mint("Bearer " + Jwts.hs256(Jwts.HS_SECRET, claims().claim("sub", "123").build())).statusCode())
        .as("a string of digits is a subject").isEqualTo(201);
  }

  @Test
  void algNoneIsRefusedWithASecretAndWithAJwks() {
    hs256();
    assertUnauthorized(mint("Bearer " + Jwts.unsigned(claims().build())));
    gw.stop();
    RSAKey key = Jwts.rsa("k1");
    jwks(FakeJwks.start(vertx, Jwts.jwks(key)));
    assertUnauthorized(mint("Bearer " + Jwts.unsigned(claims().build())));
    assertThat(upstream.calls()).isZero();
    assertThat(mint("Bearer " + Jwts.rs256(key, claims().build())).statusCode()).isEqualTo(201);
  }

  @Test
  void algorithmConfusionIsRefused() {
    RSAKey key = Jwts.rsa("k1");
    jwks(FakeJwks.start(vertx, Jwts.jwks(key)));
    assertUnauthorized(mint("Bearer " + Jwts.hs256WithPublicKey(key, claims().build())));
    gw.stop();
    hs256();
    assertUnauthorized(mint("Bearer " + Jwts.rs256(key, claims().build())));
    assertThat(upstream.calls()).isZero();
  }

  @Test
  void rs256AndEs256KeysOfTheJwksVerify() {
    RSAKey rsa = Jwts.rsa("rsa-1");
    ECKey ec = Jwts.ec("ec-1");
    jwks(FakeJwks.start(vertx, Jwts.jwks(rsa, ec)));

    assertThat(mint("Bearer " + Jwts.rs256(rsa, claims().build())).statusCode()).isEqualTo(201);
    assertThat(mint("Bearer " + Jwts.es256(ec, claims().build())).statusCode()).isEqualTo(201);
    assertUnauthorized(mint("Bearer " + Jwts.rs256(Jwts.rsa("rsa-1"), claims().build())));
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void aNewKeyIdIsRefetchedAtMostOncePerMinRefetchInterval() {
    RSAKey old = Jwts.rsa("2026-05");
    RSAKey rotated = Jwts.rsa("2026-06");
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(old));
    jwks(site);
    assertThat(site.fetches()).as("fetched at start").isEqualTo(1);
    site.serve(Jwts.jwks(old, rotated));

    assertUnauthorized(mint("Bearer " + Jwts.rs256(rotated, claims().build())));
    assertThat(site.fetches()).as("the start's fetch was less than 30 s ago").isEqualTo(1);

    time.advance(Duration.ofSeconds(31));
    assertThat(mint("Bearer " + Jwts.rs256(rotated, claims().build())).statusCode()).isEqualTo(201);
    assertThat(site.fetches()).isEqualTo(2);
    assertThat(mint("Bearer " + Jwts.rs256(old, claims().build())).statusCode()).isEqualTo(201);
    for (int i = 0; i < 5; i++) {
      assertUnauthorized(mint("Bearer " + Jwts.rs256(Jwts.rsa("made-up-" + i), claims().build())));
    }
    assertThat(site.fetches()).as("made-up key ids cost no fetch within the interval").isEqualTo(2);
  }

  @Test
  void keysOlderThanTheRefreshIntervalAreRefetchedSoARemovedKeyStopsWorking() {
    RSAKey removed = Jwts.rsa("removed");
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(removed));
    jwks(site);
    site.serve(Jwts.jwks(Jwts.rsa("kept")));
    time.advance(Duration.ofSeconds(301));

    assertThat(mint("Bearer " + Jwts.rs256(removed, claims().build())).statusCode())
        .as("the keys held still answer while the background fetch runs").isEqualTo(201);
    Await.until(() -> site.fetches() == 2, 5_000, "the background refetch");
    Await.until(() -> mint("Bearer " + Jwts.rs256(removed, claims().build())).statusCode() == 401, 5_000,
        "the removed key is refused");
  }

  @Test
  void aJwksThatIsDownKeepsTheKeysHeldWorking() {
    RSAKey key = Jwts.rsa("k1");
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(key));
    jwks(site);
    site.down(true);
    time.advance(Duration.ofSeconds(400));

    assertThat(mint("Bearer " + Jwts.rs256(key, claims().build())).statusCode()).isEqualTo(201);
    time.advance(Duration.ofSeconds(31));
    HttpResponse<Buffer> unknown = mint("Bearer " + Jwts.rs256(Jwts.rsa("k2"), claims().build()));
    assertError(unknown, 503, "Service Unavailable");
    assertThat(unknown.getHeader("Retry-After")).isNotNull();
    assertThat(mint("Bearer " + Jwts.rs256(key, claims().build())).statusCode()).isEqualTo(201);
    assertThat(upstream.calls()).isEqualTo(2);
  }

  @Test
  void withNoKeysEverFetchedTheAnswerIs503UntilTheJwksAnswers() {
    RSAKey key = Jwts.rsa("k1");
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(key));
    site.down(true);
    jwks(site);

    HttpResponse<Buffer> r = mint("Bearer " + Jwts.rs256(key, claims().build()));
    assertError(r, 503, "Service Unavailable");
    assertThat(Integer.parseInt(r.getHeader("Retry-After"))).isBetween(1, 30);
    assertThat(upstream.calls()).isZero();
    assertThat(gw.metric("gateway_guest_checks_total{check=\"jwt\",result=\"error\"}")).hasValue(1.0);

    site.down(false);
    assertThat(mint("Bearer " + Jwts.rs256(key, claims().build())).statusCode()).as("within 30 s: no fetch")
        .isEqualTo(503);
    time.advance(Duration.ofSeconds(31));
    assertThat(mint("Bearer " + Jwts.rs256(key, claims().build())).statusCode()).isEqualTo(201);
  }

  @Test
  void aHangingJwksEndsAtItsDeadlineAndNeverHoldsRequestsLonger() {
    RSAKey key = Jwts.rsa("k1");
    FakeJwks site = FakeJwks.start(vertx, Jwts.jwks(key));
    site.hang(true);
    start(Map.of("guest.jwt.jwksUrl", site.url(), "guest.jwt.jwksTimeoutMs", 300));
    time.advance(Duration.ofSeconds(31));

    long begin = System.nanoTime();
    HttpResponse<Buffer> r = mint("Bearer " + Jwts.rs256(key, claims().build()));
    long tookMs = (System.nanoTime() - begin) / 1_000_000;
    assertError(r, 503, "Service Unavailable");
    assertThat(tookMs).isBetween(250L, 5_000L);
    assertThat(site.fetches()).isEqualTo(2);
    assertThat(gw.get("/health/live").statusCode()).as("the event loops were never blocked").isEqualTo(200);
  }

  @Test
  void theAddressesClaimBoundsAllowedAddresses() {
    start(Map.of("guest.jwt.secret", Jwts.HS_SECRET, "guest.jwt.addressesClaim", "fabric_addresses"));
    String mayCallSupport = Jwts.hs256(Jwts.HS_SECRET, claims().claim("fabric_addresses",
        List.of(ADDRESS.toUpperCase())).build());
    String noClaim = Jwts.hs256(Jwts.HS_SECRET, claims().build());

    assertThat(mint("Bearer " + mayCallSupport).statusCode()).isEqualTo(201);
    assertError(mint("Bearer " + mayCallSupport, "{\"allowed_addresses\":[\"" + ADDRESS + "\",\"" + OTHER_ADDRESS
        + "\"]}"), 403, "Forbidden");
    assertError(mint("Bearer " + noClaim), 403, "Forbidden");
    assertThat(upstream.calls()).isEqualTo(1);
  }

  @Test
  void preflightsAllowTheAuthorizationHeaderOnlyWhenJwtIsOn() {
    start(Map.of("guest.jwt.secret", Jwts.HS_SECRET, "http.cors.origins", "https://www.example.com"));
    assertThat(preflightAllows()).isEqualTo("content-type, authorization");
    gw.stop();
    gw = GatewayHarness.start(vertx, upstream, Map.of("http.cors.origins", "https://www.example.com"));
    assertThat(preflightAllows()).isEqualTo("content-type");
  }

  private String preflightAllows() {
    return Await.await(gw.client.request(HttpMethod.OPTIONS, GUESTS).putHeader("Origin", "https://www.example.com")
        .putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", "content-type, authorization").send())
        .getHeader("Access-Control-Allow-Headers");
  }
}
