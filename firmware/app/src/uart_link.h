/*
 * The board's UART as the protocol's wire: received bytes go from the ISR into a ring buffer
 * (the ISR never frames: framing in the ISR is where firmware 1.0.0 dropped and cut lines);
 * everything sent goes through one transmit queue, a whole line at a time, so module output
 * never lands inside a protocol line.
 */
#ifndef UART_LINK_H_
#define UART_LINK_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/kernel.h>

int uart_link_init(void);

/* Waits up to `timeout` for received bytes; returns how many were copied into buf. */
size_t uart_link_read(uint8_t *buf, size_t len, k_timeout_t timeout);

/* True when bytes were received and not read yet. */
bool uart_link_has_input(void);

/* Queues `text` (which ends in '\n') whole; waits for room rather than cut it. */
void uart_link_send(const char *text);

#endif /* UART_LINK_H_ */
