//! Integration tests of the indicator engine: a hand-built fixture with known answers
//! (fixture.rs documents every case and the expected figures), and the demo
//! municipality against the Eskilstuna 2022 calibration.

mod compare;
mod demo;
mod documents;
mod extract;
mod fixture;
mod indicators;
mod quality;
