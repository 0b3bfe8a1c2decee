//! Files attached to records: evidence on a unit's report, the files a
//! citizen sends with feedback, and an initiative's files. Each kind has
//! its own limits (how many files, how large each); all of them are
//! recognised by content (`evidence::sniff`), renamed to a safe name with
//! the extension of what they really are, kept once by their SHA-256, and
//! offered only as downloads.

use super::evidence::{EvidenceError, MAX_EVIDENCE_BYTES, safe_file_name, sniff};
use super::valid::Valid;
use super::{feedback, initiative};

/// What a file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachedTo {
    /// Evidence for one task of a unit's report.
    Evidence,
    /// A citizen's feedback.
    Feedback,
    /// An initiative.
    Initiative,
}

impl AttachedTo {
    /// Files one submission may carry.
    pub const fn max_files(self) -> usize {
        match self {
            AttachedTo::Evidence => 1,
            AttachedTo::Feedback => feedback::MAX_FILES,
            AttachedTo::Initiative => initiative::MAX_FILES,
        }
    }

    /// The largest file accepted.
    pub const fn max_bytes(self) -> usize {
        match self {
            AttachedTo::Evidence => MAX_EVIDENCE_BYTES,
            AttachedTo::Feedback => feedback::MAX_FILE_BYTES,
            AttachedTo::Initiative => initiative::MAX_FILE_BYTES,
        }
    }

    /// The refusal of a file over [`AttachedTo::max_bytes`].
    pub fn too_large(self) -> AttachmentError {
        match self {
            // Evidence has always said it this way (one file per form).
            AttachedTo::Evidence => AttachmentError::Content(EvidenceError::TooLarge),
            _ => AttachmentError::TooLarge(self.max_bytes() / (1024 * 1024)),
        }
    }

    /// Whether `count` files may go with one submission.
    pub fn check_count(self, count: usize) -> Result<(), AttachmentError> {
        if count > self.max_files() {
            Err(AttachmentError::TooMany(self.max_files()))
        } else {
            Ok(())
        }
    }

    /// The one check of a file as received: its size for this kind, then
    /// its content (PDF, DOCX, XLSX, PNG, JPEG, whatever its name says);
    /// the name loses any path and takes the real extension.
    pub fn check(
        self,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<Valid<UploadedFile>, AttachmentError> {
        if bytes.len() > self.max_bytes() {
            return Err(self.too_large());
        }
        let kind = sniff(&bytes)?;
        Ok(Valid::new(UploadedFile {
            file_name: safe_file_name(file_name, kind),
            content_type: kind.content_type(),
            size: bytes.len(),
            bytes,
        }))
    }

    /// Checks a whole submission's files against this kind's limits, for
    /// an action handed files it did not read itself.
    pub fn check_all(self, files: &[Valid<UploadedFile>]) -> Result<(), AttachmentError> {
        self.check_count(files.len())?;
        if files.iter().any(|f| f.size > self.max_bytes()) {
            return Err(self.too_large());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("Chỉ được gửi kèm tối đa {0} tệp")]
    TooMany(usize),
    #[error("Mỗi tệp gửi kèm tối đa {0} MB")]
    TooLarge(usize),
    #[error(transparent)]
    Content(#[from] EvidenceError),
}

/// A file as received, recognised by its content; made only by
/// [`AttachedTo::check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// The bytes to keep: as received, or sealed
    /// ([`Valid::<UploadedFile>::sealed`]).
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
    /// The size as received, whatever form the bytes are kept in.
    pub size: usize,
}

impl Valid<UploadedFile> {
    /// The same checked file, its bytes replaced by their sealed form
    /// (a citizen's file may show an ID card): name, type and size stay
    /// those of the file as received.
    pub fn sealed<E>(
        self,
        seal: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
    ) -> Result<Valid<UploadedFile>, E> {
        let mut file = self.into_inner();
        file.bytes = seal(&file.bytes)?;
        Ok(Valid::new(file))
    }
}

/// A file as kept: the record it belongs to (`owner_id`: the report, the
/// feedback or the initiative) and the blob holding its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedFile {
    pub id: i64,
    pub owner_id: i64,
    pub blob_sha256: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

impl AttachedFile {
    /// Size in kilobytes, rounded up, as lists show it.
    pub fn size_kb(&self) -> i64 {
        (self.size + 1023) / 1024
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n....";

    #[test]
    fn each_kind_has_its_limits() {
        assert_eq!(AttachedTo::Feedback.max_files(), 3);
        assert_eq!(AttachedTo::Feedback.max_bytes(), 5 * 1024 * 1024);
        assert_eq!(AttachedTo::Initiative.max_files(), 5);
        assert!(AttachedTo::Feedback.check_count(3).is_ok());
        assert_eq!(
            AttachedTo::Feedback.check_count(4),
            Err(AttachmentError::TooMany(3))
        );
        let big = vec![b'%'; 5 * 1024 * 1024 + 1];
        assert_eq!(
            AttachedTo::Feedback.check("a.pdf", big.clone()).map(|_| ()),
            Err(AttachmentError::TooLarge(5))
        );
        assert!(AttachedTo::Initiative.check("a.pdf", big).is_err());
    }

    #[test]
    fn files_are_checked_by_content_and_renamed() {
        let f = AttachedTo::Initiative
            .check("../anh.exe", PNG.to_vec())
            .expect("a png");
        assert_eq!(f.file_name, "anh.png");
        assert_eq!(f.content_type, "image/png");
        assert_eq!(
            AttachedTo::Feedback
                .check("x.pdf", b"MZ not a pdf".to_vec())
                .map(|_| ()),
            Err(AttachmentError::Content(EvidenceError::Refused))
        );
        let too_many = vec![f.clone(), f.clone(), f.clone(), f];
        assert_eq!(
            AttachedTo::Feedback.check_all(&too_many),
            Err(AttachmentError::TooMany(3))
        );
    }
}
