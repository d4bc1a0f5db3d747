//! The supervisor: several interfaces, patterns, scripts side by side.

use super::*;
