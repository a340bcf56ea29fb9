;; Functions that fail the ways a module can fail on a board.
(module
  (import "env" "not_in_firmware" (func $missing))
  (memory 1 1)
  (func (export "div") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.div_s)
  (func (export "crash")
    unreachable)
  (func (export "poke") (param $addr i32) (result i32)
    local.get $addr
    i32.load)
  (func (export "call_missing")
    call $missing)
  (func $recurse (export "recurse") (param $n i32) (result i32)
    local.get $n
    i32.const 1
    i32.add
    call $recurse))
