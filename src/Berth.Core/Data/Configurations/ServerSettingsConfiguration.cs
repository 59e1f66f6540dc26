using Berth.Core.Servers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Berth.Core.Data.Configurations;

internal sealed class ServerSettingsConfiguration : IEntityTypeConfiguration<ServerSettings>
{
    public void Configure(EntityTypeBuilder<ServerSettings> builder)
    {
        builder.ToTable("Hosting_ServerSettings");
        builder.HasKey(s => s.ServerId);
        builder.Property(s => s.ServerId).HasColumnName("ServerID").ValueGeneratedNever();
        builder.Property(s => s.Cpus).HasColumnName("Cpus");
        builder.Property(s => s.MemoryMb).HasColumnName("MemoryMb");
        builder.Property(s => s.Pids).HasColumnName("Pids");
        builder.Property(s => s.Provisioning).HasColumnName("Provisioning").HasConversion<int>().IsRequired();
        builder.Property(s => s.LastError).HasColumnName("LastError").IsRequired().HasDefaultValue("");
        builder.Property(s => s.UpdatedAt).HasColumnName("UpdatedAt").IsRequired();
        builder.HasOne<VirtualServer>().WithOne().HasForeignKey<ServerSettings>(s => s.ServerId).OnDelete(DeleteBehavior.Cascade);
    }
}
