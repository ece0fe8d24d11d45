#![no_main]
common::entry!(mount_rs::umount::main);
