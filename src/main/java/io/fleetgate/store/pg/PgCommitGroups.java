package io.fleetgate.store.pg;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Group commit of single-row statements that each need their own answer (a command's insert, a status
 * compare-and-set): every statement committed on its own made PostgreSQL flush its WAL once per statement, and
 * at a few hundred synchronous commands per second (three statements each) the backends spent their time
 * waiting on WAL writes ({@code LWLock:WALWrite}, {@code IO:WALSync}) while the gateway idled. Here the
 * statements that arrive while one group is in flight form the next group: one transaction, its statements
 * pipelined on one connection, one commit, each statement's own result. One group at a time, so two groups never
 * lock rows in opposite orders; a lone statement runs as it is (no transaction around it), so an idle gateway
 * pays nothing. A group that fails (one statement refused aborts them all) is run again statement by statement,
 * each then succeeding or failing on its own.
 */
final class PgCommitGroups {
  /** Statements in one group at the most: bounds one transaction's size and the wait behind it. */
  static final int MAX_GROUP = 256;

  private record Statement(String sql, Tuple args, Promise<RowSet<Row>> done) {}

  private final PgDatabase db;
  /** The groups' own context: the queue and the flag below are confined to it. */
  private final ContextInternal context;
  private final ArrayDeque<Statement> queue = new ArrayDeque<>();
  private boolean inFlight;

  PgCommitGroups(PgDatabase db) {
    this.db = db;
    this.context = ((VertxInternal) db.vertx).createEventLoopContext();
  }

  /** Any thread: runs {@code sql} in the next group; completes on the caller's context once committed. */
  Future<RowSet<Row>> execute(String sql, Tuple args) {
    ContextInternal caller = ((VertxInternal) db.vertx).getOrCreateContext();
    Promise<RowSet<Row>> done = caller.promise();
    context.runOnContext(v -> {
      queue.add(new Statement(sql, args, done));
      if (!inFlight) {
        next();
      }
    });
    return db.guard(done.future());
  }

  private void next() {
    if (queue.isEmpty()) {
      inFlight = false;
      return;
    }
    inFlight = true;
    List<Statement> group = new ArrayList<>(Math.min(queue.size(), MAX_GROUP));
    while (!queue.isEmpty() && group.size() < MAX_GROUP) {
      group.add(queue.poll());
    }
    if (group.size() == 1) {
      Statement s = group.get(0);
      db.pool.preparedQuery(s.sql).execute(s.args).onComplete(ar -> {
        s.done.handle(ar);
        next();
      });
      return;
    }
    db.pool.withTransaction(conn -> {
      List<Future<RowSet<Row>>> results = new ArrayList<>(group.size());
      for (Statement s : group) {
        results.add(conn.preparedQuery(s.sql).execute(s.args));
      }
      return Future.all(results).map(all -> results);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        for (int i = 0; i < group.size(); i++) {
          group.get(i).done.complete(ar.result().get(i).result());
        }
        next();
        return;
      }
      // one statement aborted the transaction: each on its own now, in order, so every one gets its own answer
      List<Future<RowSet<Row>>> alone = new ArrayList<>(group.size());
      for (Statement s : group) {
        alone.add(db.pool.preparedQuery(s.sql).execute(s.args).andThen(s.done::handle));
      }
      Future.join(alone).onComplete(x -> next());
    });
  }
}
