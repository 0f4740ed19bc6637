package io.tokengateway.guest;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tokengateway.core.GatewayFailure;
import io.tokengateway.core.GatewayFailure.Outcome;
import io.tokengateway.config.GuestCheckOptions.JwtOptions;
import io.tokengateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the site's own sign-in: {@code Authorization: Bearer <JWT>}, signed RS256 or ES256 by a key of the
 * site's JWKS, or HS256 with {@code guest.jwt.secret}; {@code iss}, {@code aud}, {@code exp} (required),
 * {@code nbf} and {@code sub} (required: it is the caller) checked on the injected clock with
 * {@code clockSkewSeconds}. Parsing, signatures and claims are Nimbus JOSE+JWT's: only the configured algorithms
 * are accepted, so {@code alg: none} and an HS256 token made with an RSA public key are refused. The token is
 * never forwarded, logged or kept.
 *
 * <p>An HS256 token is checked against the one secret whatever its {@code kid} (many sites set one): there is no
 * other key to choose. The {@code sub} must be a JSON string, neither empty nor blank, as written in the token:
 * Nimbus would read {@code "sub": 123} as {@code "123"}, and an empty subject would key one quota for everyone.
 */
final class JwtVerifier {

  /** Who the token names, and the addresses it allows (null: any address the gateway allows). */
  record Caller(String subject, Set<String> addresses) {
  }

  static final int MAX_TOKEN_CHARS = 8_192;
  static final GatewayFailure UNAUTHORIZED = GatewayFailure.unauthorized("Bearer", "no valid site JWT");
  private static final Set<JWSAlgorithm> JWKS_ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  /** Per verification: whether the key selector found no key for the token's header (an unknown kid). */
  private static final class Lookup implements SecurityContext {
    boolean missed;
  }

  private final JwtOptions options;
  private final JwksKeys jwks;
  private final DefaultJWTProcessor<Lookup> processor = new DefaultJWTProcessor<>();
  private final GatewayMetrics metrics;

  /** @param jwks the site's keys, or null for HS256 with {@code guest.jwt.secret} */
  JwtVerifier(JwtOptions options, JwksKeys jwks, Clock clock, GatewayMetrics metrics) {
    this.options = options;
    this.jwks = jwks;
    this.metrics = metrics;
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), null));
    processor.setJWSKeySelector(jwks == null
        ? new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256,
            new SecretKeySpec(options.secret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"))
        : new JWSVerificationKeySelector<>(JWKS_ALGORITHMS, this::keys));
    DefaultJWTClaimsVerifier<Lookup> claims = new DefaultJWTClaimsVerifier<>(Set.of(options.audience()),
        new JWTClaimsSet.Builder().issuer(options.issuer()).build(), Set.of("exp", "sub"), null) {
      @Override
      protected Date currentTime() {
        return Date.from(clock.instant());
      }
    };
    claims.setMaxClockSkew(options.clockSkewSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  private List<JWK> keys(com.nimbusds.jose.jwk.JWKSelector selector, Lookup lookup) {
    JWKSet held = jwks.current();
    List<JWK> found = held == null ? List.of() : selector.select(held);
    if (found.isEmpty()) {
      lookup.missed = true;
    }
    return found;
  }

  /** The caller a valid token names; fails with 401 (or 503 while the site's keys cannot be had). */
  Future<Caller> verify(HttpServerRequest request) {
    String token = bearer(request.getHeader(HttpHeaders.AUTHORIZATION));
    if (token == null) {
      return refused();
    }
    if (jwks == null) {
      return decided(check(token, new Lookup()));
    }
    jwks.refreshIfStale();
    if (jwks.current() == null) {
      return afterFetch(token);
    }
    Lookup lookup = new Lookup();
    Caller caller = check(token, lookup);
    if (caller != null || !lookup.missed) {
      return decided(caller);
    }
    return afterFetch(token); // a key id not held: the site may have rotated its keys
  }

  /** Fetches the keys again (when allowed), then decides; 503 when no usable answer about the keys can be had. */
  private Future<Caller> afterFetch(String token) {
    Future<JWKSet> fetch = jwks.refetch();
    if (fetch == null) {
      return jwks.current() == null || jwks.lastFetchFailed() ? unavailable() : refused();
    }
    return fetch.transform(ar -> ar.succeeded() ? decided(check(token, new Lookup())) : unavailable());
  }

  private Caller check(String token, Lookup lookup) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      JWTClaimsSet claims = processor.process(jwt, lookup);
      if (!(jwt.getPayload().toJSONObject().get("sub") instanceof String subject) || subject.isBlank()) {
        return null;
      }
      return new Caller(subject, addresses(claims));
    } catch (java.text.ParseException | com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException
             | RuntimeException e) {
      return null;
    }
  }

  /** The {@code addressesClaim} as a set of lowercase ids (empty when absent or malformed), or null when unset. */
  private Set<String> addresses(JWTClaimsSet claims) {
    if (options.addressesClaim().isEmpty()) {
      return null;
    }
    if (!(claims.getClaim(options.addressesClaim()) instanceof List<?> list)) {
      return Set.of();
    }
    return list.stream().filter(String.class::isInstance).map(a -> ((String) a).toLowerCase(java.util.Locale.ROOT))
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  private Future<Caller> decided(Caller caller) {
    return caller == null ? refused() : passed(caller);
  }

  private Future<Caller> passed(Caller caller) {
    metrics.guestCheck("jwt", "pass");
    return Future.succeededFuture(caller);
  }

  private Future<Caller> refused() {
    metrics.guestCheck("jwt", "fail");
    return Future.failedFuture(UNAUTHORIZED);
  }

  private Future<Caller> unavailable() {
    metrics.guestCheck("jwt", "error");
    return Future.failedFuture(GatewayFailure.retryLater(503, jwks.retryAfterSeconds(), Outcome.CHECK_UNAVAILABLE,
        "the site's JWKS cannot be fetched"));
  }

  /** The token of {@code Bearer <token>}, or null for anything else. */
  static String bearer(String authorization) {
    if (authorization == null || authorization.length() > MAX_TOKEN_CHARS + 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = authorization.substring(7).trim();
    return token.isEmpty() ? null : token;
  }
}
