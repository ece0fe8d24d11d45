#![no_main]
common::entry!(unshare_rs::main);
