package dev.hato.tls;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import org.bouncycastle.jsse.BCExtendedSSLSession;
import org.bouncycastle.jsse.BCSNIHostName;
import org.bouncycastle.jsse.BCSNIServerName;
import org.bouncycastle.jsse.BCSSLEngine;
import org.bouncycastle.jsse.BCSSLSocket;
import org.bouncycastle.jsse.BCX509ExtendedKeyManager;
import org.bouncycastle.jsse.BCX509Key;
import org.jspecify.annotations.Nullable;

/**
 * The one key manager behind Hato's server {@code SslContext}: per handshake it picks the certificate for the name
 * the client asked for (SNI) from the current {@link Identities} and lets that certificate's own BC JSSE key manager
 * choose the key type. Reloading swaps the {@code Identities} here, so the {@code SslContext} and every listener
 * built on it stay as they are, handshakes under way finish with what they picked, and established connections are
 * not touched.
 *
 * <p>Written against BC JSSE's {@link BCX509ExtendedKeyManager} so that BC hands its own key types ("EC/secp256r1",
 * "ECDHE_ECDSA", see {@link Identity}) straight through to BC's key managers; SNI comes from BC's handshake session,
 * already parsed. A handshake costs one volatile read and two hash lookups here.
 */
final class SniKeyManager extends BCX509ExtendedKeyManager {

    // Aliases handed out are "<identity id>|<alias of that identity's key manager>".
    private static final char SEPARATOR = '|';

    private volatile Identities identities;

    SniKeyManager(Identities identities) {
        this.identities = identities;
    }

    Identities identities() {
        return identities;
    }

    void replace(Identities replacement) {
        identities = replacement;
    }

    @Override
    public @Nullable BCX509Key chooseEngineServerKeyBC(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        Identities now = identities;
        Identity chosen = now.select(requestedHostName(engine));
        BCX509Key key = chosen.keyManager().chooseEngineServerKeyBC(keyTypes, issuers, engine);
        // A named certificate the client cannot use (an ECDSA one to an RSA-only client): the default may suit it.
        return key != null || chosen == now.fallback() ? key
                : now.fallback().keyManager().chooseEngineServerKeyBC(keyTypes, issuers, engine);
    }

    @Override
    public @Nullable BCX509Key chooseServerKeyBC(String[] keyTypes, Principal[] issuers, Socket socket) {
        Identities now = identities;
        Identity chosen = now.select(requestedHostName(socket));
        BCX509Key key = chosen.keyManager().chooseServerKeyBC(keyTypes, issuers, socket);
        return key != null || chosen == now.fallback() ? key
                : now.fallback().keyManager().chooseServerKeyBC(keyTypes, issuers, socket);
    }

    @Override
    public @Nullable String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseAlias(requestedHostName(engine),
                manager -> manager.chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseAlias(requestedHostName(socket), manager -> manager.chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal[] issuers) {
        Identities now = identities;
        List<String> aliases = new ArrayList<>();
        List<Identity> all = new ArrayList<>(now.named());
        all.add(0, now.fallback());
        for (Identity identity : all) {
            String[] own = identity.keyManager().getServerAliases(keyType, issuers);
            if (own != null) {
                for (String alias : own) {
                    aliases.add(identity.id() + SEPARATOR + alias);
                }
            }
        }
        return aliases.isEmpty() ? null : aliases.toArray(String[]::new);
    }

    @Override
    public X509Certificate @Nullable [] getCertificateChain(String alias) {
        Identity identity = owner(alias);
        return identity == null ? null : identity.keyManager().getCertificateChain(inner(alias));
    }

    @Override
    public @Nullable PrivateKey getPrivateKey(String alias) {
        Identity identity = owner(alias);
        return identity == null ? null : identity.keyManager().getPrivateKey(inner(alias));
    }

    /** A server's key manager: Hato never authenticates to a peer with these certificates. */
    @Override
    public String @Nullable [] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    /** A server's key manager: Hato never authenticates to a peer with these certificates. */
    @Override
    public @Nullable String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    protected @Nullable BCX509Key getKeyBC(String keyType, String alias) {
        PrivateKey key = getPrivateKey(alias);
        X509Certificate[] chain = getCertificateChain(alias);
        return key == null || chain == null || chain.length == 0 ? null : new Key(keyType, key, chain);
    }

    private @Nullable String chooseAlias(@Nullable String serverName,
                                         Function<BCX509ExtendedKeyManager, @Nullable String> choose) {
        Identities now = identities;
        Identity chosen = now.select(serverName);
        String alias = choose.apply(chosen.keyManager());
        if (alias == null && chosen != now.fallback()) {
            chosen = now.fallback();
            alias = choose.apply(chosen.keyManager());
        }
        return alias == null ? null : chosen.id() + SEPARATOR + alias;
    }

    private @Nullable Identity owner(String alias) {
        int separator = alias.indexOf(SEPARATOR);
        return separator < 0 ? null : identities.byId(alias.substring(0, separator));
    }

    private static String inner(String alias) {
        return alias.substring(alias.indexOf(SEPARATOR) + 1);
    }

    static @Nullable String requestedHostName(@Nullable SSLEngine engine) {
        if (engine instanceof BCSSLEngine bc) {
            return hostName(bc.getBCHandshakeSession());
        }
        return engine == null ? null : hostName(engine.getHandshakeSession());
    }

    static @Nullable String requestedHostName(@Nullable Socket socket) {
        if (socket instanceof BCSSLSocket bc) {
            return hostName(bc.getBCHandshakeSession());
        }
        return socket instanceof SSLSocket ssl ? hostName(ssl.getHandshakeSession()) : null;
    }

    private static @Nullable String hostName(@Nullable BCExtendedSSLSession session) {
        if (session == null) {
            return null;
        }
        for (BCSNIServerName name : session.getRequestedServerNames()) {
            if (name instanceof BCSNIHostName host) {
                return host.getAsciiName();
            }
            if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                return new String(name.getEncoded(), StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    private static @Nullable String hostName(@Nullable SSLSession session) {
        if (session instanceof ExtendedSSLSession extended) {
            for (SNIServerName name : extended.getRequestedServerNames()) {
                if (name instanceof SNIHostName host) {
                    return host.getAsciiName();
                }
            }
        }
        return null;
    }

    /** A chosen key for BC JSSE's alias-based paths. */
    private record Key(String keyType, PrivateKey privateKey, X509Certificate[] chain) implements BCX509Key {
        @Override
        public X509Certificate[] getCertificateChain() {
            return chain.clone();
        }

        @Override
        public String getKeyType() {
            return keyType;
        }

        @Override
        public PrivateKey getPrivateKey() {
            return privateKey;
        }
    }
}
