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

/// A context that never runs anything: for tests and benchmarks of the
/// layers above, which dispatch syscalls without a platform.
#[derive(Debug, Default)]
pub struct NullContext;

impl crate::Context for NullContext {
    fn switch(&mut self, _regs: &mut crate::Registers) -> Result<crate::Event, PlatformError> {
        Err(PlatformError::Unsupported {
            what: "running code in a null context",
        })
    }

    fn fp_state(&mut self) -> Result<crate::FpState, PlatformError> {
        Ok(crate::FpState {
            bytes: vec![0; 512],
        })
    }

    fn set_fp_state(&mut self, _state: &crate::FpState) -> Result<(), PlatformError> {
        Ok(())
    }

    fn interrupter(&self) -> crate::Interrupter {
        crate::Interrupter { pid: 0, tid: 0 }
    }

    fn host_thread(&self) -> (i32, i32) {
        (0, 0)
    }
}

/// A platform of null address spaces.
#[derive(Debug, Default)]
pub struct NullPlatform;

impl crate::Platform for NullPlatform {
    fn new_address_space(&self) -> Result<crate::NewAddressSpace, PlatformError> {
        Ok((std::sync::Arc::new(NullAddressSpace), Box::new(NullContext)))
    }

    fn max_user_address(&self) -> u64 {
        crate::ptrace::MAX_USER_ADDRESS
    }
}
