package io.tokengateway.guest;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;

/** Site JWTs for tests: keys made here with KeyPairGenerator, tokens signed by Nimbus JOSE+JWT. */
final class Jwts {

  static final String ISSUER = "https://auth.example.com/";
  static final String AUDIENCE = "token-gateway";
  static final String HS_SECRET = "hs256-shared-secret-of-the-site-0123456789";

  private Jwts() {
  }

  static RSAKey rsa(String kid) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      KeyPair pair = g.generateKeyPair();
      return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
          .keyID(kid).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static ECKey ec(String kid) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = g.generateKeyPair();
      return new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).privateKey((ECPrivateKey) pair.getPrivate())
          .keyID(kid).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public JWKS document of {@code keys}. */
  static String jwks(JWK... keys) {
    return new JWKSet(Arrays.asList(keys)).toPublicJWKSet().toString();
  }

  /** Valid claims at {@code now}: the issuer, audience, subject {@code subject}, 5 minutes to live. */
  static JWTClaimsSet.Builder claims(Instant now, String subject) {
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject(subject)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)));
  }

  static String rs256(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(new RSASSASigner(key), JWSAlgorithm.RS256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String es256(ECKey key, JWTClaimsSet claims) {
    try {
      return sign(new ECDSASigner(key), JWSAlgorithm.ES256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hs256(String secret, JWTClaimsSet claims) {
    return hs256(secret, null, claims);
  }

  /** HS256 with a {@code kid} header (null: none). */
  static String hs256(String secret, String kid, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, kid, claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The algorithm-confusion attack: HS256 with the RSA key's public bytes as the HMAC secret, and its kid. */
  static String hs256WithPublicKey(RSAKey key, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(key.toRSAPublicKey().getEncoded()), JWSAlgorithm.HS256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsecured JWT: {@code alg: none}, empty signature. */
  static String unsigned(JWTClaimsSet claims) {
    return new PlainJWT(claims).serialize();
  }

  private static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build(), claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
