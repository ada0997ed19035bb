//! The gateway's store: every accepted batch, its readings and where it got to, in SQLite.
//!
//! **A batch is acknowledged only after the transaction that stores it has committed** (WAL
//! journal, `synchronous = FULL`: committed means on disk, through a power cut). One writer
//! thread owns the write connection and commits whatever is queued in one transaction (group
//! commit: one fsync for many batches under load, one per batch when idle); readers use their
//! own connection, which WAL lets run beside the writer.
//!
//! ## States of a batch
//!
//! | state | meaning | next |
//! |---|---|---|
//! | `pending` | accepted, not (or no longer) in flight | `submitted` |
//! | `submitted` | an anchor transaction with `nonce` and `tx_hash` was handed to the node | `anchored`, `stale`, `failed`, or back to `pending` when the transaction was dropped |
//! | `anchored` | the chain holds the anchor in a finalized block (`block_number`, `block_hash`, `anchor_index`) | — |
//! | `stale` | the chain took another statement with this sequence, or a later one, first | — |
//! | `failed` | the chain refused it for good (the reason is kept), e.g. the device was suspended meanwhile | — |
//!
//! Integers the chain keeps as `u64` (stream, sequence) are stored as 8-byte big-endian blobs,
//! which SQLite orders as the numbers they are (its integers are signed).

use crate::batch::{
	decode_readings, encode_readings, signature_bytes, signature_from_parts, signature_type_name,
	Rejection, VerifiedBatch,
};
use anyhow::{anyhow, Context as _};
use rusqlite::{params, Connection, OptionalExtension as _, Row};
use std::{
	path::{Path, PathBuf},
	sync::{mpsc, Arc, Mutex},
};
use tokio::sync::oneshot;

/// Most operations one commit takes.
const GROUP: usize = 256;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batches (
	id INTEGER PRIMARY KEY AUTOINCREMENT,
	stream BLOB NOT NULL,
	sequence BLOB NOT NULL,
	device INTEGER NOT NULL,
	root BLOB NOT NULL,
	count INTEGER NOT NULL,
	first_timestamp INTEGER NOT NULL,
	last_timestamp INTEGER NOT NULL,
	content_id BLOB,
	key_type TEXT NOT NULL,
	signature BLOB NOT NULL,
	readings BLOB NOT NULL,
	source TEXT NOT NULL,
	received_ms INTEGER NOT NULL,
	state TEXT NOT NULL,
	nonce INTEGER,
	tx_hash BLOB,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	block_number INTEGER,
	block_hash BLOB,
	anchor_index INTEGER,
	resolved_ms INTEGER,
	valid_until INTEGER,
	UNIQUE (stream, sequence)
);
CREATE INDEX IF NOT EXISTS batches_by_state ON batches (state, id);
";

/// Where a batch got to; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
	Pending,
	Submitted,
	Anchored,
	Stale,
	Failed,
}

impl State {
	pub fn as_str(self) -> &'static str {
		match self {
			State::Pending => "pending",
			State::Submitted => "submitted",
			State::Anchored => "anchored",
			State::Stale => "stale",
			State::Failed => "failed",
		}
	}
	fn parse(text: &str) -> rusqlite::Result<Self> {
		Ok(match text {
			"pending" => State::Pending,
			"submitted" => State::Submitted,
			"anchored" => State::Anchored,
			"stale" => State::Stale,
			"failed" => State::Failed,
			other => {
				return Err(rusqlite::Error::FromSqlConversionFailure(
					0,
					rusqlite::types::Type::Text,
					format!("unknown state {other:?}").into(),
				))
			},
		})
	}
	pub const ALL: [State; 5] =
		[State::Pending, State::Submitted, State::Anchored, State::Stale, State::Failed];
}

/// Where the chain keeps an anchored batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchoredAt {
	pub block_number: u64,
	pub block_hash: [u8; 32],
	pub anchor_index: u64,
}

/// A stored batch.
#[derive(Clone, Debug)]
pub struct StoredBatch {
	pub id: i64,
	pub batch: VerifiedBatch,
	pub source: String,
	pub received_ms: u64,
	pub state: State,
	pub nonce: Option<u64>,
	pub tx_hash: Option<Vec<u8>>,
	pub attempts: u32,
	pub last_error: Option<String>,
	pub anchored: Option<AnchoredAt>,
	pub resolved_ms: Option<u64>,
	/// The last block (finalized numbering) in which the transaction of `nonce` can still be
	/// included: its mortality's end.
	pub valid_until: Option<u64>,
}

/// What storing a batch came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
	/// Stored under this id.
	New(i64),
	/// The same statement (stream, sequence, root and signature) was stored before under this
	/// id: a device's retry after a lost acknowledgement, answered as a success.
	Duplicate(i64),
}

impl Stored {
	pub fn id(self) -> i64 {
		match self {
			Stored::New(id) | Stored::Duplicate(id) => id,
		}
	}
}

enum Op {
	Insert(Box<VerifiedBatch>, &'static str, oneshot::Sender<Result<Stored, Rejection>>),
	Update(Update, oneshot::Sender<anyhow::Result<()>>),
}

/// A change of a batch's state.
#[derive(Clone, Debug)]
pub enum Update {
	/// Handed to the node with `nonce`, valid until block `valid_until`.
	Submitted {
		id: i64,
		nonce: u64,
		tx_hash: Vec<u8>,
		valid_until: u64,
	},
	/// Back to `pending` (the transaction was dropped, or the node could not be reached).
	Retry {
		id: i64,
		error: String,
	},
	Anchored {
		id: i64,
		at: AnchoredAt,
	},
	Stale {
		id: i64,
		reason: String,
	},
	Failed {
		id: i64,
		reason: String,
	},
}

/// The store; cheap to clone.
#[derive(Clone)]
pub struct Store {
	writer: mpsc::Sender<Op>,
	reader: Arc<Mutex<Connection>>,
	path: PathBuf,
}

fn key(value: u64) -> [u8; 8] {
	value.to_be_bytes()
}

fn unkey(bytes: Vec<u8>) -> rusqlite::Result<u64> {
	let bytes: [u8; 8] = bytes.try_into().map_err(|_| {
		rusqlite::Error::FromSqlConversionFailure(
			0,
			rusqlite::types::Type::Blob,
			"an 8-byte key".into(),
		)
	})?;
	Ok(u64::from_be_bytes(bytes))
}

fn open_connection(path: &Path) -> anyhow::Result<Connection> {
	let conn = Connection::open(path)
		.with_context(|| format!("opening the database {}", path.display()))?;
	conn.busy_timeout(std::time::Duration::from_secs(10))?;
	conn.pragma_update(None, "journal_mode", "WAL")?;
	conn.pragma_update(None, "synchronous", "FULL")?;
	Ok(conn)
}

const COLUMNS: &str =
	"id, stream, sequence, device, root, count, first_timestamp, last_timestamp, \
	content_id, key_type, signature, readings, source, received_ms, state, nonce, tx_hash, attempts, \
	last_error, block_number, block_hash, anchor_index, resolved_ms, valid_until";

fn conversion(e: impl std::fmt::Display) -> rusqlite::Error {
	rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, e.to_string().into())
}

fn row_to_batch(row: &Row<'_>) -> rusqlite::Result<StoredBatch> {
	let root: Vec<u8> = row.get(4)?;
	let key_type: String = row.get(9)?;
	let signature = signature_from_parts(&key_type, row.get(10)?).map_err(conversion)?;
	let readings = decode_readings(&row.get::<_, Vec<u8>>(11)?)
		.ok_or_else(|| conversion("stored readings are not a list"))?;
	let block_hash: Option<Vec<u8>> = row.get(20)?;
	let anchored =
		match (row.get::<_, Option<i64>>(19)?, block_hash, row.get::<_, Option<i64>>(21)?) {
			(Some(number), Some(hash), Some(index)) => Some(AnchoredAt {
				block_number: number as u64,
				block_hash: hash.try_into().map_err(|_| conversion("a 32-byte block hash"))?,
				anchor_index: index as u64,
			}),
			_ => None,
		};
	Ok(StoredBatch {
		id: row.get(0)?,
		batch: VerifiedBatch {
			stream: unkey(row.get(1)?)?,
			sequence: unkey(row.get(2)?)?,
			device: row.get::<_, i64>(3)? as u64,
			root: root.try_into().map_err(|_| conversion("a 32-byte root"))?,
			count: row.get(5)?,
			first_timestamp: row.get::<_, i64>(6)? as u64,
			last_timestamp: row.get::<_, i64>(7)? as u64,
			content_id: row.get(8)?,
			readings,
			signature,
		},
		source: row.get(12)?,
		received_ms: row.get::<_, i64>(13)? as u64,
		state: State::parse(&row.get::<_, String>(14)?)?,
		nonce: row.get::<_, Option<i64>>(15)?.map(|n| n as u64),
		tx_hash: row.get(16)?,
		attempts: row.get(17)?,
		last_error: row.get(18)?,
		anchored,
		resolved_ms: row.get::<_, Option<i64>>(22)?.map(|n| n as u64),
		valid_until: row.get::<_, Option<i64>>(23)?.map(|n| n as u64),
	})
}

fn insert(
	tx: &rusqlite::Transaction<'_>,
	batch: &VerifiedBatch,
	source: &str,
) -> Result<Stored, Rejection> {
	let store_failed = |e: rusqlite::Error| Rejection::new(500, "store_failed", e.to_string());
	let existing: Option<(i64, Vec<u8>, Vec<u8>)> = tx
		.query_row(
			"SELECT id, root, signature FROM batches WHERE stream = ?1 AND sequence = ?2",
			params![key(batch.stream), key(batch.sequence)],
			|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
		)
		.optional()
		.map_err(store_failed)?;
	if let Some((id, root, signature)) = existing {
		if root == batch.root && signature == signature_bytes(&batch.signature) {
			return Ok(Stored::Duplicate(id));
		}
		return Err(Rejection::new(
			409,
			"stale_sequence",
			format!(
				"sequence {} of stream {} was already accepted for other readings (batch {id})",
				batch.sequence, batch.stream
			),
		));
	}
	let last: Option<Vec<u8>> = tx
		.query_row(
			"SELECT MAX(sequence) FROM batches WHERE stream = ?1",
			params![key(batch.stream)],
			|r| r.get(0),
		)
		.map_err(store_failed)?;
	if let Some(last) = last.map(unkey).transpose().map_err(store_failed)? {
		if batch.sequence <= last {
			return Err(Rejection::new(
				409,
				"stale_sequence",
				format!(
					"sequence {} is not above {last}, the last this gateway accepted for stream {}",
					batch.sequence, batch.stream
				),
			));
		}
	}
	tx.execute(
		"INSERT INTO batches (stream, sequence, device, root, count, first_timestamp, last_timestamp, \
		 content_id, key_type, signature, readings, source, received_ms, state) \
		 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'pending')",
		params![
			key(batch.stream),
			key(batch.sequence),
			batch.device as i64,
			batch.root.as_slice(),
			batch.count,
			batch.first_timestamp as i64,
			batch.last_timestamp as i64,
			batch.content_id,
			signature_type_name(&batch.signature),
			signature_bytes(&batch.signature),
			encode_readings(&batch.readings),
			source,
			crate::now_ms() as i64,
		],
	)
	.map_err(store_failed)?;
	Ok(Stored::New(tx.last_insert_rowid()))
}

fn apply(tx: &rusqlite::Transaction<'_>, update: &Update) -> rusqlite::Result<()> {
	let now = crate::now_ms() as i64;
	match update {
		Update::Submitted { id, nonce, tx_hash, valid_until } => tx.execute(
			"UPDATE batches SET state = 'submitted', nonce = ?2, tx_hash = ?3, \
			 valid_until = ?4, attempts = attempts + 1 WHERE id = ?1",
			params![id, *nonce as i64, tx_hash, *valid_until as i64],
		),
		Update::Retry { id, error } => tx.execute(
			"UPDATE batches SET state = 'pending', last_error = ?2 WHERE id = ?1 AND state = 'submitted'",
			params![id, error],
		),
		Update::Anchored { id, at } => tx.execute(
			"UPDATE batches SET state = 'anchored', block_number = ?2, block_hash = ?3, \
			 anchor_index = ?4, resolved_ms = ?5, last_error = NULL WHERE id = ?1",
			params![id, at.block_number as i64, at.block_hash.as_slice(), at.anchor_index as i64, now],
		),
		Update::Stale { id, reason } => tx.execute(
			"UPDATE batches SET state = 'stale', last_error = ?2, resolved_ms = ?3 WHERE id = ?1",
			params![id, reason, now],
		),
		Update::Failed { id, reason } => tx.execute(
			"UPDATE batches SET state = 'failed', last_error = ?2, resolved_ms = ?3 WHERE id = ?1",
			params![id, reason, now],
		),
	}
	.map(|_| ())
}

/// The writer thread: takes what is queued, commits it in one transaction, then answers.
fn write_loop(mut conn: Connection, ops: mpsc::Receiver<Op>) {
	while let Ok(first) = ops.recv() {
		let mut group = vec![first];
		while group.len() < GROUP {
			match ops.try_recv() {
				Ok(op) => group.push(op),
				Err(_) => break,
			}
		}
		let tx = match conn.transaction() {
			Ok(tx) => tx,
			Err(e) => {
				fail_all(group, &e.to_string());
				continue;
			},
		};
		let mut answers = Vec::with_capacity(group.len());
		for op in group {
			match op {
				Op::Insert(batch, source, reply) => {
					// A refused insert has only read: the others of the group are unaffected.
					let result = insert(&tx, &batch, source);
					answers.push(Answer::Insert(result, reply));
				},
				Op::Update(update, reply) => {
					let result = apply(&tx, &update).map_err(|e| anyhow!(e));
					answers.push(Answer::Update(result, reply));
				},
			}
		}
		match tx.commit() {
			Ok(()) => {
				for answer in answers {
					answer.send();
				}
			},
			Err(e) => {
				let reason = format!("the commit failed: {e}");
				for answer in answers {
					answer.fail(&reason);
				}
			},
		}
	}
}

enum Answer {
	Insert(Result<Stored, Rejection>, oneshot::Sender<Result<Stored, Rejection>>),
	Update(anyhow::Result<()>, oneshot::Sender<anyhow::Result<()>>),
}

impl Answer {
	fn send(self) {
		// A caller that went away (a closed connection) needs no answer.
		match self {
			Answer::Insert(result, reply) => {
				let _ = reply.send(result);
			},
			Answer::Update(result, reply) => {
				let _ = reply.send(result);
			},
		}
	}
	fn fail(self, reason: &str) {
		match self {
			Answer::Insert(_, reply) => {
				let _ = reply.send(Err(Rejection::new(500, "store_failed", reason)));
			},
			Answer::Update(_, reply) => {
				let _ = reply.send(Err(anyhow!("{reason}")));
			},
		}
	}
}

fn fail_all(group: Vec<Op>, reason: &str) {
	for op in group {
		match op {
			Op::Insert(_, _, reply) => {
				let _ = reply.send(Err(Rejection::new(500, "store_failed", reason)));
			},
			Op::Update(_, reply) => {
				let _ = reply.send(Err(anyhow!("{reason}")));
			},
		}
	}
}

impl Store {
	/// Opens (or creates) the database at `path` and starts its writer thread.
	pub fn open(path: &Path) -> anyhow::Result<Self> {
		let conn = open_connection(path)?;
		conn.execute_batch(SCHEMA).context("creating the schema")?;
		let reader = open_connection(path)?;
		let (writer, ops) = mpsc::channel();
		std::thread::Builder::new()
			.name("store-writer".into())
			.spawn(move || write_loop(conn, ops))
			.context("starting the store's writer")?;
		Ok(Self { writer, reader: Arc::new(Mutex::new(reader)), path: path.to_owned() })
	}

	/// The database file.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// Stores a verified batch; returns once it is committed. Refuses a sequence that is not
	/// above every sequence this gateway already accepted for the stream (`stale_sequence`),
	/// except the very same statement again ([`Stored::Duplicate`]).
	pub async fn insert(
		&self,
		batch: VerifiedBatch,
		source: &'static str,
	) -> Result<Stored, Rejection> {
		let (reply, answer) = oneshot::channel();
		self.writer
			.send(Op::Insert(Box::new(batch), source, reply))
			.map_err(|_| Rejection::new(503, "shutting_down", "the store is closed"))?;
		answer
			.await
			.map_err(|_| Rejection::new(500, "store_failed", "the store's writer stopped"))?
	}

	/// Records a change of state; returns once it is committed.
	pub async fn update(&self, update: Update) -> anyhow::Result<()> {
		let (reply, answer) = oneshot::channel();
		self.writer.send(Op::Update(update, reply)).map_err(|_| anyhow!("the store is closed"))?;
		answer.await.map_err(|_| anyhow!("the store's writer stopped"))?
	}

	fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> anyhow::Result<T> {
		let conn = self.reader.lock().map_err(|_| anyhow!("the reader's lock is poisoned"))?;
		f(&conn).map_err(|e| anyhow!("reading the store: {e}"))
	}

	/// Batches not yet resolved (`pending` and `submitted`), oldest first: the order they were
	/// accepted in, which is the order they are anchored in. Without their readings (the
	/// anchorer needs the statement only): `batch.readings` is empty.
	pub fn unresolved(&self, limit: usize) -> anyhow::Result<Vec<StoredBatch>> {
		let columns = COLUMNS.replace(" readings,", " X'' AS readings,");
		self.read(|c| {
			let mut stmt = c.prepare_cached(&format!(
				"SELECT {columns} FROM batches WHERE state IN ('pending', 'submitted') \
				 ORDER BY id LIMIT ?1"
			))?;
			let rows = stmt.query_map(params![limit as i64], row_to_batch)?;
			rows.collect()
		})
	}

	/// The batch stored under `id`.
	pub fn get(&self, id: i64) -> anyhow::Result<Option<StoredBatch>> {
		self.read(|c| {
			c.query_row(&format!("SELECT {COLUMNS} FROM batches WHERE id = ?1"), [id], row_to_batch)
				.optional()
		})
	}

	/// The batch of `stream` with `sequence`.
	pub fn by_sequence(&self, stream: u64, sequence: u64) -> anyhow::Result<Option<StoredBatch>> {
		self.read(|c| {
			c.query_row(
				&format!("SELECT {COLUMNS} FROM batches WHERE stream = ?1 AND sequence = ?2"),
				params![key(stream), key(sequence)],
				row_to_batch,
			)
			.optional()
		})
	}

	/// How many batches are in each state.
	pub fn counts(&self) -> anyhow::Result<Vec<(State, u64)>> {
		self.read(|c| {
			let mut stmt =
				c.prepare_cached("SELECT state, COUNT(*) FROM batches GROUP BY state")?;
			let rows = stmt.query_map([], |r| {
				Ok((State::parse(&r.get::<_, String>(0)?)?, r.get::<_, i64>(1)? as u64))
			})?;
			rows.collect()
		})
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use iot_formats::device::DeviceSignature;

	fn batch(stream: u64, sequence: u64, root: u8) -> VerifiedBatch {
		VerifiedBatch {
			stream,
			device: 9,
			sequence,
			first_timestamp: 1,
			last_timestamp: 2,
			readings: vec![vec![root; 3], vec![]],
			root: [root; 32],
			count: 2,
			content_id: None,
			signature: DeviceSignature::Sr25519([root; 64]),
		}
	}

	#[tokio::test]
	async fn batches_survive_a_reopen_and_keep_their_order_and_state() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("gateway.sqlite");
		{
			let store = Store::open(&path).unwrap();
			for seq in [1, 2, u64::MAX] {
				assert!(matches!(store.insert(batch(3, seq, 1), "http").await, Ok(Stored::New(_))));
			}
			store
				.update(Update::Submitted {
					id: 1,
					nonce: 4,
					tx_hash: vec![1; 32],
					valid_until: 70,
				})
				.await
				.unwrap();
			let at = AnchoredAt { block_number: 7, block_hash: [2; 32], anchor_index: 0 };
			store.update(Update::Anchored { id: 2, at }).await.unwrap();
		}
		let store = Store::open(&path).unwrap();
		let open = store.unresolved(10).unwrap();
		assert_eq!(open.iter().map(|b| b.id).collect::<Vec<_>>(), vec![1, 3]);
		assert_eq!(open[0].state, State::Submitted);
		assert_eq!((open[0].nonce, open[0].valid_until), (Some(4), Some(70)));
		// Without readings (the anchorer needs the statement); `get` has them.
		assert!(open[1].batch.readings.is_empty());
		assert_eq!(store.get(open[1].id).unwrap().unwrap().batch, batch(3, u64::MAX, 1));
		let anchored = store.by_sequence(3, 2).unwrap().unwrap();
		assert_eq!(anchored.state, State::Anchored);
		assert_eq!(anchored.anchored.unwrap().block_number, 7);
	}

	#[tokio::test]
	async fn a_sequence_is_taken_once_and_a_retry_is_the_same_batch() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(&dir.path().join("g.sqlite")).unwrap();
		let first = store.insert(batch(3, 5, 1), "http").await.unwrap();
		assert_eq!(
			store.insert(batch(3, 5, 1), "mqtt").await.unwrap(),
			Stored::Duplicate(first.id())
		);
		assert_eq!(store.insert(batch(3, 5, 2), "http").await.unwrap_err().code, "stale_sequence");
		assert_eq!(store.insert(batch(3, 4, 2), "http").await.unwrap_err().code, "stale_sequence");
		// Another stream has its own sequences.
		assert!(matches!(store.insert(batch(4, 4, 2), "http").await, Ok(Stored::New(_))));
		assert!(matches!(store.insert(batch(3, 6, 2), "http").await, Ok(Stored::New(_))));
		let counts = store.counts().unwrap();
		assert_eq!(counts, vec![(State::Pending, 3)]);
	}

	#[tokio::test]
	async fn concurrent_inserts_commit_in_groups_and_all_arrive() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(&dir.path().join("g.sqlite")).unwrap();
		let tasks: Vec<_> = (0..500u64)
			.map(|s| {
				let store = store.clone();
				tokio::spawn(async move { store.insert(batch(s, 1, 1), "http").await })
			})
			.collect();
		for t in tasks {
			assert!(matches!(t.await.unwrap(), Ok(Stored::New(_))));
		}
		assert_eq!(store.unresolved(1000).unwrap().len(), 500);
	}
}
