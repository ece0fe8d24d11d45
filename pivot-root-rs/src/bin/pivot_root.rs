#![no_main]
common::entry!(pivot_root_rs::main);
