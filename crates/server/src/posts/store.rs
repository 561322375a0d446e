//! Where posts live: one SQLite database (`posts.sqlite3`, WAL) for the rows
//! and one file per video in `media/`. Uploads are written to `tmp/` first
//! and only renamed into `media/` once every check has passed, just before
//! the row is inserted, so a crash or a cut connection leaves nothing a
//! reader could find; what it may leave behind is swept when the store opens.
//!
//! Everything here blocks: callers run it in `spawn_blocking`.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use huddle_protocol::{Anchor, Post, PostId};
use rusqlite::{params, Connection, OptionalExtension};

use crate::lock;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("posts database: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("posts files: {0}")]
    Io(#[from] io::Error),
    #[error("stored anchors are not valid JSON: {0}")]
    Anchors(#[from] serde_json::Error),
}

/// A post as stored, before it gets its URL.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPost {
    pub id: PostId,
    pub author: String,
    pub caption: String,
    pub anchors: Vec<Anchor>,
    pub duration_s: f32,
    pub created_ms: u64,
    /// The file's name inside `media/`.
    pub media_file: String,
    pub media_type: String,
    pub bytes: u64,
}

impl StoredPost {
    pub fn into_post(self) -> Post {
        Post {
            media_url: format!("/api/posts/{}/media", self.id),
            id: self.id,
            author: self.author,
            caption: self.caption,
            anchors: self.anchors,
            duration_s: self.duration_s,
            created_ms: self.created_ms,
            media_type: self.media_type,
            demo: false,
        }
    }
}

#[derive(Debug)]
pub struct Store {
    db: Mutex<Connection>,
    media: PathBuf,
    tmp: PathBuf,
}

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS posts (
    id TEXT PRIMARY KEY,
    author TEXT NOT NULL,
    caption TEXT NOT NULL,
    anchors_json TEXT NOT NULL,
    duration_s REAL NOT NULL,
    created_ms INTEGER NOT NULL,
    media_file TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes INTEGER NOT NULL
)";

const COLUMNS: &str =
    "id, author, caption, anchors_json, duration_s, created_ms, media_file, media_type, bytes";

impl Store {
    /// Opens (or creates) the store in `root` and sweeps what an earlier run
    /// left half done: everything in `tmp/`, and media files without a row.
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        let media = root.join("media");
        let tmp = root.join("tmp");
        fs::create_dir_all(&media)?;
        fs::create_dir_all(&tmp)?;
        let db = Connection::open(root.join("posts.sqlite3"))?;
        // WAL: readers (the feed) do not wait for a writer (an upload).
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.execute(SCHEMA, [])?;
        let store = Self {
            db: Mutex::new(db),
            media,
            tmp,
        };
        store.sweep()?;
        Ok(store)
    }

    pub fn tmp_dir(&self) -> &Path {
        &self.tmp
    }

    pub fn media_path(&self, post: &StoredPost) -> PathBuf {
        self.media.join(&post.media_file)
    }

    fn sweep(&self) -> Result<(), StoreError> {
        for entry in fs::read_dir(&self.tmp)? {
            let path = entry?.path();
            tracing::info!(path = %path.display(), "removing an unfinished upload");
            remove_quietly(&path);
        }
        let kept: HashSet<String> = {
            let db = lock(&self.db);
            let mut query = db.prepare("SELECT media_file FROM posts")?;
            let files = query.query_map([], |row| row.get::<_, String>(0))?;
            files.collect::<Result<_, _>>()?
        };
        for entry in fs::read_dir(&self.media)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !kept.contains(&name) {
                tracing::info!(file = %name, "removing a video that has no post");
                remove_quietly(&entry.path());
            }
        }
        Ok(())
    }

    /// Newest first.
    pub fn list(&self) -> Result<Vec<StoredPost>, StoreError> {
        let db = lock(&self.db);
        let mut query = db.prepare(&format!(
            "SELECT {COLUMNS} FROM posts ORDER BY created_ms DESC, rowid DESC"
        ))?;
        let rows = query.query_map([], read_row)?;
        rows.map(|row| row?).collect()
    }

    pub fn get(&self, id: &PostId) -> Result<Option<StoredPost>, StoreError> {
        let db = lock(&self.db);
        let row = db
            .query_row(
                &format!("SELECT {COLUMNS} FROM posts WHERE id = ?1"),
                [id.as_str()],
                read_row,
            )
            .optional()?;
        row.transpose()
    }

    /// Makes an upload a post: flushes `upload` to disk, renames it to
    /// `media/<media_file>` and inserts the row. On any failure nothing is
    /// left: neither the file nor the row.
    pub fn publish(&self, upload: &Path, post: &StoredPost) -> Result<(), StoreError> {
        // Durable before it becomes visible: a crash after the rename must
        // not leave a row pointing at a file whose bytes never hit the disk.
        File::open(upload)?.sync_all()?;
        let target = self.media_path(post);
        fs::rename(upload, &target)?;
        let anchors = serde_json::to_string(&post.anchors)?;
        let inserted = lock(&self.db).execute(
            &format!("INSERT INTO posts ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                post.id.as_str(),
                post.author,
                post.caption,
                anchors,
                f64::from(post.duration_s),
                i64::try_from(post.created_ms).unwrap_or(i64::MAX),
                post.media_file,
                post.media_type,
                i64::try_from(post.bytes).unwrap_or(i64::MAX),
            ],
        );
        if let Err(error) = inserted {
            remove_quietly(&target);
            return Err(error.into());
        }
        // The directory entry too, so the rename survives a power cut.
        if let Err(error) = File::open(&self.media).and_then(|dir| dir.sync_all()) {
            tracing::debug!(%error, "could not sync the media directory");
        }
        Ok(())
    }

    #[cfg(test)]
    pub fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = lock(&self.db).query_row("SELECT COUNT(*) FROM posts", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// A row, or why it cannot be one (a bad id or anchors are reported rather
/// than hiding the whole feed behind one broken row's error).
fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<StoredPost, StoreError>> {
    let id: String = row.get(0)?;
    let anchors: String = row.get(3)?;
    let id = match PostId::parse(&id) {
        Ok(id) => id,
        Err(e) => {
            return Ok(Err(StoreError::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("stored post id {id:?}: {e}"),
            ))))
        }
    };
    let anchors = match serde_json::from_str(&anchors) {
        Ok(anchors) => anchors,
        Err(e) => return Ok(Err(e.into())),
    };
    let duration_s: f64 = row.get(4)?;
    let created_ms: i64 = row.get(5)?;
    let bytes: i64 = row.get(8)?;
    Ok(Ok(StoredPost {
        id,
        author: row.get(1)?,
        caption: row.get(2)?,
        anchors,
        duration_s: duration_s as f32,
        created_ms: u64::try_from(created_ms).unwrap_or(0),
        media_file: row.get(6)?,
        media_type: row.get(7)?,
        bytes: u64::try_from(bytes).unwrap_or(0),
    }))
}

/// Removes a file we own; a file already gone is what we wanted.
pub fn remove_quietly(path: &Path) {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(error) => tracing::warn!(path = %path.display(), %error, "could not remove a file"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, created_ms: u64) -> StoredPost {
        StoredPost {
            id: PostId::parse(id).unwrap_or_else(|e| panic!("{e}")),
            author: "Ann".into(),
            caption: "hi".into(),
            anchors: vec![],
            duration_s: 2.5,
            created_ms,
            media_file: format!("{id}.webm"),
            media_type: "video/webm".into(),
            bytes: 3,
        }
    }

    fn open(dir: &Path) -> Store {
        Store::open(dir).unwrap_or_else(|e| panic!("open: {e}"))
    }

    #[test]
    fn publish_list_reopen_and_sweep() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path());
        for (id, at) in [("aaaa", 10), ("bbbb", 30), ("cccc", 20)] {
            let upload = store.tmp_dir().join(format!("{id}.part"));
            fs::write(&upload, b"abc").unwrap_or_else(|e| panic!("{e}"));
            store
                .publish(&upload, &post(id, at))
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(!upload.exists());
        }
        let ids = |store: &Store| -> Vec<String> {
            let list = store.list().unwrap_or_else(|e| panic!("{e}"));
            list.into_iter().map(|p| p.id.to_string()).collect()
        };
        assert_eq!(ids(&store), ["bbbb", "cccc", "aaaa"]);
        let found = store.get(&post("cccc", 0).id).ok().flatten();
        assert_eq!(found, Some(post("cccc", 20)));
        assert_eq!(store.get(&post("dddd", 0).id).ok(), Some(None));

        // A duplicate id must not leave its file behind (nor replace the first).
        let upload = store.tmp_dir().join("dup.part");
        fs::write(&upload, b"xyz").unwrap_or_else(|e| panic!("{e}"));
        let mut dup = post("aaaa", 40);
        dup.media_file = "aaaa-2.webm".into();
        assert!(matches!(
            store.publish(&upload, &dup),
            Err(StoreError::Db(_))
        ));
        assert!(!dir.path().join("media/aaaa-2.webm").exists());
        drop(store);

        fs::write(dir.path().join("tmp/left.part"), b"x").unwrap_or_else(|e| panic!("{e}"));
        fs::write(dir.path().join("media/orphan.webm"), b"x").unwrap_or_else(|e| panic!("{e}"));
        let store = open(dir.path());
        assert_eq!(ids(&store), ["bbbb", "cccc", "aaaa"]);
        assert_eq!(store.count().ok(), Some(3));
        assert!(!dir.path().join("tmp/left.part").exists());
        assert!(!dir.path().join("media/orphan.webm").exists());
        assert!(dir.path().join("media/aaaa.webm").exists());
    }
}
