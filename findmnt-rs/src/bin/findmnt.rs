#![no_main]
common::entry!(findmnt_rs::main);
