//! An address space that maps nothing, for tests and benchmarks of the
//! layers above: VMAs and the memory file are all they look at.

use crate::{Access, AddressSpace, PlatformError};

/// Accepts every mapping change and makes none.
#[derive(Debug, Default)]
pub struct NullAddressSpace;

impl AddressSpace for NullAddressSpace {
    fn map(&self, _: u64, _: u64, _: Access, _: u64) -> Result<(), PlatformError> {
        Ok(())
    }

    fn unmap(&self, _: u64, _: u64) -> Result<(), PlatformError> {
        Ok(())
    }

    fn protect(&self, _: u64, _: u64, _: Access) -> Result<(), PlatformError> {
        Ok(())
    }
}
