/* The agent core on Zephyr: a fake platform (captured lines, a fixed pool, no VM). */
#include <string.h>
#include <zephyr/ztest.h>

#include "agent/agent.h"
#include "agent/crc32.h"

static char said[1024];

static void tx(void *ctx, const char *line)
{
	ARG_UNUSED(ctx);
	strncat(said, line, sizeof(said) - strlen(said) - 1);
}

static uint32_t now_ms(void *ctx)
{
	ARG_UNUSED(ctx);
	return k_uptime_get_32();
}

static uint8_t *payload_alloc(void *ctx, size_t size)
{
	ARG_UNUSED(ctx);
	ARG_UNUSED(size);
	return NULL; /* a full pool: every LOAD is refused NO_MEM */
}

static void payload_free(void *ctx, uint8_t *buf)
{
	ARG_UNUSED(ctx);
	ARG_UNUSED(buf);
}

static void vm_mem(void *ctx, struct agent_mem *out)
{
	ARG_UNUSED(ctx);
	out->available = true;
	out->total = 102400;
	out->free = 100;
	out->used = 102300;
	out->highmark = 102300;
}

static const struct agent_ports ports = {
	.tx = tx, .now_ms = now_ms, .payload_alloc = payload_alloc, .payload_free = payload_free, .vm_mem = vm_mem,
};

static const struct agent_config config = {
	.device_id = "z1", .rtos = "Zephyr", .runtime = "WAMR", .fw_version = "1.1.0", .board = CONFIG_BOARD,
	.payload_idle_ms = 5000, .stop_grace_ms = 1200, .start_guard_no_env = 16384, .start_guard_with_env = 4096,
};

static struct agent agent;

static void send(const char *text)
{
	said[0] = '\0';
	agent_on_bytes(&agent, (const uint8_t *)text, strlen(text));
}

ZTEST(agent_core, test_hello_status_and_a_refused_load)
{
	agent_init(&agent, &ports, &config);
	said[0] = '\0';
	agent_boot(&agent);
	zassert_not_null(strstr(said, "HELLO device_id=z1 rtos=Zephyr runtime=WAMR fw_version=1.1.0 board="), "%s", said);
	send("STATUS\r\n");
	zassert_str_equal(said, "STATUS_OK modules=\"none\" low_stack=\"none\" wamr_total=102400 wamr_free=100"
			  " wamr_used=102300 wamr_highmark=102300 caps=timing,stopfix,exactkeys,idletimeout\n");
	send("LOAD module_id=m size=8 crc32=00000000\n");
	zassert_str_equal(said, "LOAD_ERR code=NO_MEM msg=\"payload free=100 need=8\"\n");
	send("START module_id=m\n");
	zassert_str_equal(said, "RESULT status=NO_MODULE module_id=m\n");
}

ZTEST(agent_core, test_crc32_check_value)
{
	zassert_equal(agent_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926U);
}

ZTEST_SUITE(agent_core, NULL, NULL, NULL, NULL, NULL);
