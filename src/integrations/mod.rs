//! Clients for the outside world. Each takes its address from configuration,
//! so tests aim it at a local server that speaks the real protocol.

pub mod liqpay;
pub mod mail;
pub mod stripe;
