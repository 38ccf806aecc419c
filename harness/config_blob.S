/* config.example compiled in as zdbench's defaults (see config.c). */
	.section .rodata
	.global _binary_config_example_start
	.global _binary_config_example_end
_binary_config_example_start:
	.incbin "config.example"
_binary_config_example_end:
	.byte 0
	.section .note.GNU-stack,"",@progbits
