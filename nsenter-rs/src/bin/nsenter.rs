#![no_main]
common::entry!(nsenter_rs::main);
