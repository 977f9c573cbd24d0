import { defineConfig } from "vite";

// Served by the gateway at /app; `npm run dev` proxies the API to a local standalone server.
export default defineConfig({
  base: "/app/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: true },
  server: {
    proxy: {
      "/api": { target: "http://127.0.0.1:8000", ws: true },
    },
  },
});
