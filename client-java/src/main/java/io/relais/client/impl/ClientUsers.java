package io.relais.client.impl;

import io.relais.client.Users;
import io.relais.protocol.frame.UserInfo;
import io.relais.protocol.frame.UserPut;
import io.relais.protocol.sasl.ScramCredential;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * {@link Users} over a client's connection: derives credentials on the {@link KeyDerivationThread}, then sends
 * USER_PUT, USER_DELETE or USER_LIST as a request of the facade. Stateless apart from the facade; thread-safe.
 */
final class ClientUsers implements Users {
    private final ClientFacade facade;

    ClientUsers(ClientFacade facade) {
        this.facade = facade;
    }

    @Override
    public CompletableFuture<Void> add(String name, String password, Set<String> tags) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        List<String> sorted = List.copyOf(new TreeSet<>(tags));
        return KeyDerivationThread.supply(() -> ScramCredential.create(password))
                .thenCompose(c -> facade.call(BrokerCall.putUser(name, UserPut.CREATE, c, sorted)));
    }

    @Override
    public CompletableFuture<Void> changePassword(String name, String password) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(password, "password");
        return KeyDerivationThread.supply(() -> ScramCredential.create(password))
                .thenCompose(c -> facade.call(BrokerCall.putUser(name, UserPut.SET_PASSWORD, c, List.of())));
    }

    @Override
    public CompletableFuture<Void> setTags(String name, Set<String> tags) {
        Objects.requireNonNull(name, "name");
        return facade.call(BrokerCall.putUser(name, UserPut.SET_TAGS, null, List.copyOf(new TreeSet<>(tags))));
    }

    @Override
    public CompletableFuture<Void> delete(String name) {
        Objects.requireNonNull(name, "name");
        return facade.call(BrokerCall.deleteUser(name));
    }

    @Override
    public CompletableFuture<List<UserInfo>> list() {
        return facade.call(BrokerCall.listUsers());
    }
}
