package dev.hato.store.pg;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Parameters;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The few ways this package talks to PostgreSQL: a statement on a pooled connection, or a unit of work in one
 * transaction on one connection. Connections always go back to the pool, whether the work completes, fails or is
 * cancelled.
 */
final class Database {

    private final ConnectionFactory connections;

    Database(ConnectionFactory connections) {
        this.connections = connections;
    }

    ConnectionFactory connections() {
        return connections;
    }

    /** Rows of one statement, each mapped while its connection is still borrowed. */
    <T> Flux<T> query(String sql, Function<? super Readable, ? extends T> mapper, Object... parameters) {
        return Flux.usingWhen(connections.create(),
                connection -> Flux.from(statement(connection, sql, parameters).execute())
                        .concatMap(result -> result.map(mapper)),
                Connection::close);
    }

    /** The number of rows one statement changed. */
    Mono<Long> update(String sql, Object... parameters) {
        return Mono.usingWhen(connections.create(),
                connection -> rowsUpdated(statement(connection, sql, parameters)),
                Connection::close);
    }

    /**
     * Runs {@code work} in one transaction on one connection: commits when it completes, rolls back when it errors
     * or is cancelled. Whatever {@code work} emits is collected before the commit, so a caller never sees a value
     * of a transaction that did not commit.
     */
    <T> Flux<T> inTransaction(Function<Connection, ? extends Publisher<T>> work) {
        return Flux.usingWhen(connections.create(),
                connection -> Mono.from(connection.beginTransaction())
                        .thenMany(Flux.from(work.apply(connection)))
                        .collectList()
                        .flatMapMany(values -> Mono.from(connection.commitTransaction())
                                .thenMany(Flux.fromIterable(values)))
                        .onErrorResume(error -> rollback(connection).then(Mono.error(error))),
                Connection::close,
                (connection, error) -> connection.close(),
                connection -> rollback(connection).then(Mono.from(connection.close())));
    }

    static Mono<Void> rollback(Connection connection) {
        // A failed rollback (broken connection) must not hide the error that caused it; the pool discards
        // connections that fail validation.
        return Mono.from(connection.rollbackTransaction()).onErrorResume(ignored -> Mono.empty());
    }

    static Statement statement(Connection connection, String sql, Object... parameters) {
        Statement statement = connection.createStatement(sql);
        bind(statement, parameters);
        return statement;
    }

    static void bind(Statement statement, Object... parameters) {
        for (int i = 0; i < parameters.length; i++) {
            statement.bind(i, parameters[i]);
        }
    }

    static Mono<Long> rowsUpdated(Statement statement) {
        return Flux.from(statement.execute())
                .concatMap(Result::getRowsUpdated)
                .reduce(0L, Long::sum);
    }

    static <T> Flux<T> rows(Statement statement, Function<? super Readable, ? extends T> mapper) {
        return Flux.from(statement.execute()).concatMap(result -> result.map(mapper));
    }

    /** A parameter that may be null; R2DBC needs the type of a null to bind it. */
    static Object nullable(@Nullable Object value, Class<?> type) {
        return value == null ? Parameters.in(type) : value;
    }

    /** A column that the schema declares NOT NULL. */
    static <T> T required(Readable row, String column, Class<T> type) {
        T value = row.get(column, type);
        if (value == null) {
            throw new IllegalStateException("column " + column + " is null");
        }
        return value;
    }
}
