module quickstart {
    requires dev.lluvia.memory;
}
