package sqlstore

import (
	"database/sql"
	"strings"
	"time"
)

// dialect holds everything that differs between SQLite and PostgreSQL. The
// queries themselves use $1-style placeholders, which both drivers accept.
type dialect struct {
	name string // "sqlite" or "postgres"
	// forUpdate ends a SELECT that reads a row about to be rewritten.
	// SQLite needs none: its write transactions begin IMMEDIATE.
	forUpdate string
	// binary follows a text column in ORDER BY to sort it by its bytes, as
	// Go compares strings, whatever the database's collation.
	binary string
	// types replaces the placeholders of the migration files.
	types *strings.Replacer
	// readTx are the options of a transaction that only reads but must
	// see one snapshot.
	readTx *sql.TxOptions
	// timeText stores times as fixed-width text rather than native values.
	timeText bool
	// unindexed precedes a column in WHERE to keep the planner from
	// reading through that column's index: SQLite's unary plus. A filter
	// on one talk or speaker must read through media_talks or
	// media_speakers, which SQLite, without statistics, does not see is
	// narrower than media_status.
	unindexed string
	// migrateLock, when set, serialises migrations of concurrent Opens.
	migrateLock string
}

// sqliteTimeLayout is RFC 3339 with a fixed six-digit fraction, so that
// stored times sort as text in the order of their instants.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z07:00"

func sqliteDialect() dialect {
	return dialect{
		name: "sqlite",
		types: strings.NewReplacer("{{timestamp}}", "TEXT", "{{bytes}}", "BLOB",
			"{{each talk_ids}}", "json_each(media.talk_ids) AS j",
			"{{each speaker_ids}}", "json_each(media.speaker_ids) AS j"),
		readTx:    &sql.TxOptions{ReadOnly: true},
		timeText:  true,
		unindexed: "+",
	}
}

func postgresDialect() dialect {
	return dialect{
		name:      "postgres",
		forUpdate: " FOR UPDATE",
		binary:    ` COLLATE "C"`,
		types: strings.NewReplacer("{{timestamp}}", "TIMESTAMPTZ", "{{bytes}}", "BYTEA",
			"{{each talk_ids}}", "json_array_elements_text(media.talk_ids::json) AS j(value)",
			"{{each speaker_ids}}", "json_array_elements_text(media.speaker_ids::json) AS j(value)"),
		readTx: &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead},
		// An arbitrary constant that names confmedia's migrations among
		// the advisory locks of the database.
		migrateLock: "SELECT pg_advisory_xact_lock(7012025061)",
	}
}

// hasElem is a condition on the media row: its JSON array column col holds
// the argument placeholder p.
func (d dialect) hasElem(col, p string) string {
	if d.timeText {
		return "EXISTS (SELECT 1 FROM json_each(media." + col + ") WHERE json_each.value = " + p + ")"
	}
	return "media." + col + "::jsonb @> jsonb_build_array(" + p + "::text)"
}

// timeArg is the value that stores t: NULL for the zero time, else t in UTC
// to the microsecond.
func (d dialect) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if d.timeText {
		return t.Format(sqliteTimeLayout)
	}
	return t
}
