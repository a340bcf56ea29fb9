/* The env imports a module may call: gpio_toggle, uart_print, led_toggle (user LED, led0). */
#ifndef NATIVES_H_
#define NATIVES_H_

#include <stdint.h>

#include "vm_wamr.h"

int natives_init(void);
extern const struct vm_wamr_natives natives_table;
/* slot_ctx is the worker (struct worker *). */
void natives_gpio_toggle(void *slot_ctx);

#endif /* NATIVES_H_ */
