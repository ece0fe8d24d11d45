#![no_main]
common::entry!(lsns_rs::main);
