//! Clients for the outside world. Each takes its address from configuration,
//! so tests aim it at a local server that speaks the real protocol. Telegram
//! and X hold, for now, the parts that need no network: message formatting,
//! character counting and request signing.

pub mod liqpay;
pub mod mail;
pub mod stripe;
pub mod telegram;
pub mod x;
