;; blink(ms): toggles the LED every ms milliseconds, forever. led_toggle sleeps inside the
;; firmware (k_msleep), where a cooperative stop cannot reach: with ms above 1200 a STOP
;; ends as a forced stop.
(module
  (import "env" "led_toggle" (func $led_toggle (param i32)))
  (func (export "blink") (param $ms i32)
    (loop $forever
      local.get $ms
      call $led_toggle
      br $forever)))
