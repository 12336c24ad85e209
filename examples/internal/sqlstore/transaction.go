package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// txn is an open transaction with the statements prepared in it.
type txn struct {
	*sql.Tx
	inserts map[int]*sql.Stmt // index inserts by row count
}

// txKey is the context key of a Store's open transaction. It holds the
// Store, so that two Stores never share a transaction.
type txKey struct{ s *Store }

// Transaction runs fn in one database transaction: the Store's methods
// called with the context fn receives (directly, or through a
// [compartment.Guard] that passes the context on) all commit when fn
// returns nil, and all roll back when it returns an error or panics. A
// Transaction inside another joins it. Other calls wait until it ends,
// since the Store has one connection.
func (s *Store) Transaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{s}).(*txn); ok {
		return fn(ctx)
	}
	return s.inTx(ctx, func(tx *txn) error {
		return fn(context.WithValue(ctx, txKey{s}, tx))
	})
}

// inTx runs fn in a new transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *txn) error) (err error) {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: beginning a transaction: %w", err)
	}
	tx := &txn{Tx: sqlTx, inserts: make(map[int]*sql.Stmt)}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: committing: %w", err)
	}
	committed = true
	return nil
}

// atomic runs fn in the context's transaction, or in a new one: every
// method runs its statements through it, so that a search sees one
// snapshot and a write is all or nothing.
func (s *Store) atomic(ctx context.Context, fn func(tx *txn) error) error {
	if tx, ok := ctx.Value(txKey{s}).(*txn); ok {
		return fn(tx)
	}
	return s.inTx(ctx, fn)
}
